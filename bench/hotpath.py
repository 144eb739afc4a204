"""Where a request's CPU goes: sample a live worker with py-spy while wrk drives one endpoint, and
print the functions that hold the interpreter most (inclusive and self share of the samples).

    .venv/bin/python -m bench.hotpath [path]      # default /v1/recommendations

Only samples taken while a thread holds the GIL count (``--gil``), so idle threads waiting on a
queue do not drown the picture. Needs ptrace rights over the worker (root, or ptrace_scope 0).
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.run import ensure_wrk
from bench.server import ROOT, running

OWN = ("app/api/", "app/domain/", "app/services/")  # not the CLI frames under every stack
POSTED = ("/v1/profiles/validate", "/v1/recommendations")
SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "8"))


def _frame(frame: str) -> tuple[str, bool]:
    """``name (file)`` and whether the frame is the project's own code."""
    name, _, where = frame.partition(" (")
    path = where.split(":")[0]
    own = path.removeprefix(str(ROOT) + "/").startswith(OWN)
    return f"{name} ({path.rsplit('/', 1)[-1]})" if where else name, own


def summarise(raw: Path, top: int = 30) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for name in {name for name, mine in frames if mine}:
            inclusive[name] += n
        own[frames[-1][0]] += n
    out = [f"{total} samples with the GIL held", "", "inclusive, project code:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    out += ["", "self, everything:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/v1/recommendations"
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    wrk = ensure_wrk()
    body = ROOT / "examples" / "deqing-2024.json"
    with (
        tempfile.TemporaryDirectory(prefix="countypath-profile-") as scratch,
        running(workers=1, extra_env={"COUNTYPATH_RATE_LIMIT": "off"}) as server,
    ):
        out = Path(scratch) / "samples.txt"
        for _ in range(50):  # warm the caches before sampling
            httpx.post(
                server.base + "/v1/recommendations",
                content=body.read_bytes(),
                headers={"content-type": "application/json"},
            )
        cmd = [wrk, "-t1", "-c8", f"-d{SECONDS + 3}s", server.base + path]
        if path.startswith(POSTED):
            cmd[1:1] = ["-s", str(ROOT / "bench" / "post.lua")]
        load = subprocess.Popen(
            cmd, env=dict(os.environ, BODY_FILE=str(body)), stdout=subprocess.DEVNULL
        )
        time.sleep(1)
        pid = str(server.worker_pids()[0])
        subprocess.run(
            [spy, "record", "-p", pid, "-d", str(SECONDS), "-r", "200", "--gil"]
            + ["--nonblocking", "-f", "raw", "-o", str(out)],
            check=True,
            capture_output=True,
        )
        load.wait()
        print(summarise(out))


if __name__ == "__main__":
    main()
