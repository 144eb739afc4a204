"""Running a command from a test so that its failure explains itself: the command, its exit
status and the end of its output go into the assertion (subprocess's own CalledProcessError
says only the status, which is how a drill once failed with no reason to read)."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from typing import Any

TAIL = 4000  # characters of each stream kept in the message


def _tail(text: str) -> str:
    return text if len(text) <= TAIL else "…" + text[-TAIL:]


def run(
    args: Sequence[str], *, check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` with its output captured as text; when ``check`` and the command fails,
    an AssertionError that shows its stdout and stderr."""
    done = subprocess.run(list(args), capture_output=True, text=True, check=False, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(
            f"{shlex.join(args)} exited {done.returncode}\n"
            f"--- stdout ---\n{_tail(done.stdout)}\n--- stderr ---\n{_tail(done.stderr)}"
        )
    return done
