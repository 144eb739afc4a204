"""Server CPU per request on the compiled engine against the pure one, measured side by side.

Two servers run at once, one worker each: one on the build (``make compile``), one started
through bench.pure on the sources. Batches of requests alternate between them, so a change in
the machine's load (the cores are shared) falls on both engines alike, which two bench.cpu runs
one after the other cannot promise. Medians of the batches, appended to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from datetime import UTC, datetime

import httpx

from app import native
from bench import pure
from bench.cpu import BODY, JSON, ROOT, cpu_seconds
from bench.server import running

BATCHES = int(os.environ.get("BENCH_ENGINES_BATCHES", "8"))
REQUESTS = int(os.environ.get("BENCH_ENGINES_REQUESTS", "300"))
BUILD = native.describe()  # said before the sources take over in this process
PATHS = {
    "validate": "/v1/profiles/validate",
    "summary": "/v1/recommendations?view=summary",
    "full": "/v1/recommendations",
}


def per_request_ms(base: str, pid: int, path: str) -> float:
    with httpx.Client(base_url=base, headers=JSON, timeout=30) as client:
        for _ in range(20):  # warm the connection
            client.post(path, content=BODY).raise_for_status()
        before = cpu_seconds(pid)
        for _ in range(REQUESTS):
            client.post(path, content=BODY).raise_for_status()
        return (cpu_seconds(pid) - before) * 1000 / REQUESTS


def measure() -> dict[str, tuple[list[float], list[float]]]:
    """Per request: (compiled batches, pure batches)."""
    if not native.compiled_modules():
        sys.exit("nothing is compiled: run `make compile` first")
    env = {"COUNTYPATH_RATE_LIMIT": "off"}
    out: dict[str, tuple[list[float], list[float]]] = {}
    with running(workers=1, extra_env=env) as compiled:
        pure.install()  # the next server starts through bench.pure
        with running(workers=1, extra_env=env) as sources:
            (cpid,) = compiled.worker_pids()
            (ppid,) = sources.worker_pids()
            for name, path in PATHS.items():
                found: tuple[list[float], list[float]] = ([], [])
                for _ in range(BATCHES):
                    found[0].append(per_request_ms(compiled.base, cpid, path))
                    found[1].append(per_request_ms(sources.base, ppid, path))
                out[name] = found
    return out


def table(found: dict[str, tuple[list[float], list[float]]]) -> str:
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: compiled and pure engine side by side",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average before the run {os.getloadavg()[0]:.2f}. Two servers, one worker each on "
        f"SQLite, {BATCHES} alternating batches of {REQUESTS} requests; server CPU per request. "
        f"{BUILD[0].upper()}{BUILD[1:]}, against the sources.",
        "",
        "| request | compiled, ms (median) | pure, ms (median) | compiled ÷ pure |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, (done, src) in found.items():
        a, b = statistics.median(done), statistics.median(src)
        lines.append(f"| {name} | {a:.3f} | {b:.3f} | {a / b:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = table(measure())
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write("\n" + text)


if __name__ == "__main__":
    main()
