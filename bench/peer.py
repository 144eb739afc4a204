"""The peer: OpenFisca's Web API (``openfisca serve`` with the country template, one gunicorn
worker) timed by the same harness as countypath (bench/cpu.py): server CPU per request from
schedstat, one keep-alive client, three repeats, medians, beside countypath's full
recommendation in the same run.

OpenFisca is not a dependency of countypath: point ``BENCH_PEER_PYTHON`` at the Python of an
environment that has it, for example

    python3 -m venv /tmp/peer
    /tmp/peer/bin/pip install 'openfisca-core[web-api]' openfisca-country-template
    BENCH_PEER_PYTHON=/tmp/peer/bin/python .venv/bin/python -m bench.peer

The peer answers ``POST /calculate`` for the template's own example situation (a couple, three
household variables for a month): a rules engine computing a few formulas from a JSON
situation, as countypath computes a diagnosis and ranked paths from a JSON profile.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.cpu import JSON, REPEATS, REQUESTS, per_request_ms, wait_ready
from bench.server import ROOT, _free_port, running

FIND_SITUATION = (
    "import importlib.resources as r, sys; sys.stdout.write(r.files("
    "'openfisca_country_template.situation_examples').joinpath('couple.json').read_text())"
)


def peer_python() -> str:
    found = os.environ.get("BENCH_PEER_PYTHON", "")
    if not found or not Path(found).exists():
        sys.exit("set BENCH_PEER_PYTHON to a Python with openfisca-core[web-api] and the template")
    return found


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextmanager
def openfisca(python: str) -> Iterator[tuple[str, int]]:
    """``openfisca serve`` on a free port with one worker; yields its address and worker pid."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        conf = Path(folder) / "gunicorn.conf.py"
        conf.write_text(f"bind = '127.0.0.1:{port}'\nworkers = 1\nloglevel = 'warning'\n")
        cli = str(Path(python).with_name("openfisca"))
        proc = subprocess.Popen(
            [cli, "serve", "-c", "openfisca_country_template", "-f", str(conf)],
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(f"{base}/spec", tries=300)
            yield base, _children(proc.pid)[0]
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def measure(python: str) -> dict[str, list[float]]:
    situation = subprocess.run(
        [python, "-c", FIND_SITUATION], check=True, capture_output=True
    ).stdout
    json.loads(situation)  # the template's own example, read as it ships
    out: dict[str, list[float]] = {"countypath full": [], "openfisca /calculate": []}
    with (
        running(workers=1, extra_env={"COUNTYPATH_RATE_LIMIT": "off"}) as server,
        openfisca(python) as (peer_base, peer_pid),
    ):
        (pid,) = server.worker_pids()
        for _ in range(REPEATS):
            out["openfisca /calculate"].append(
                per_request_ms(peer_base, peer_pid, "/calculate", JSON, situation)
            )
            out["countypath full"].append(
                per_request_ms(server.base, pid, "/v1/recommendations", JSON)
            )
    return out


def table(found: dict[str, list[float]]) -> str:
    peer_ms = statistics.median(found["openfisca /calculate"])
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: against the OpenFisca peer",
        "",
        f"Load average before the run {os.getloadavg()[0]:.2f}. One worker each, {REQUESTS} "
        f"requests per repeat from one keep-alive client, {REPEATS} repeats; server CPU per "
        "request from schedstat.",
        "",
        "| server | CPU ms per request (median) | repeats | peer ÷ this |",
        "| --- | ---: | --- | ---: |",
    ]
    for name, values in found.items():
        med = statistics.median(values)
        shown = ", ".join(f"{v:.3f}" for v in values)
        lines.append(f"| {name} | {med:.3f} | {shown} | {peer_ms / med:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = table(measure(peer_python()))
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write("\n" + text)


if __name__ == "__main__":
    main()
