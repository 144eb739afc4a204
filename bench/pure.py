"""Run a module on the pure-Python engine even where the compiled one is built.

``python -m bench.pure bench.identical`` (or ``bench.engine``, any module or script with its arguments):
the modules app.native lists are imported from their ``.py`` sources, whatever extensions sit
beside them, so one checkout measures and compares both engines without removing the build. A
server a benchmark starts (bench.server, one worker) runs the same engine as the benchmark.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import runpy
import sys
from collections.abc import Sequence
from types import ModuleType

from app.native import MODULES, ROOT


class PureSources(importlib.abc.MetaPathFinder):
    """Finds the listed engine modules as source files, ahead of the extension finder."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        source = ROOT / (fullname.replace(".", "/") + ".py")
        return importlib.util.spec_from_file_location(fullname, source)


def install() -> None:
    """From now on, the engine modules not yet imported load from source."""
    loaded = [name for name in MODULES if name in sys.modules]
    if loaded:
        raise RuntimeError(f"already imported, so maybe compiled: {', '.join(loaded)}")
    sys.meta_path.insert(0, PureSources())


def active() -> bool:
    """Whether this process runs the pure engine by this module's finder."""
    return any(isinstance(finder, PureSources) for finder in sys.meta_path)


def launcher(workers: int) -> list[str]:
    """What goes between ``python -m`` and a module a benchmark starts as a server, so that the
    server runs the engine this process runs. One worker only: uvicorn starts more as fresh
    interpreters, which would load the build (remove it with ``make clean-compiled`` instead)."""
    if not active():
        return []
    if workers != 1:
        raise RuntimeError("the pure engine reaches one worker only; remove the build instead")
    return ["bench.pure"]


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.pure MODULE [ARGS...]")
    install()
    target = sys.argv[1]
    sys.argv = sys.argv[1:]
    if target.endswith(".py"):
        runpy.run_path(target, run_name="__main__")
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)
