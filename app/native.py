"""The optional compiled engine: which engine modules mypyc may compile, and which ones are.

Compiling is opt-in (``make compile``, docs/architecture.md): each listed module of app/domain
gets a C extension beside its source, which Python's import prefers to the ``.py`` file, so the
rest of the application imports the same names either way. Without a compiler nothing is built
and the pure-Python sources run, giving the same bytes (tests/unit/test_native.py compares the
two). ``python -m app.native build`` builds in place, ``python -m app.native clean`` removes the
build. The list leaves out app/domain/result.py and the modules defining the answer's records:
a compiled class has no ``__dict__``, which orjson's fast path for dataclasses relies on.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

# Chosen by profile (bench/README.md, 2026-12-07): where a full and a summary answer spend their
# CPU, plus the small modules they call in their loops.
MODULES = (
    "app.domain.conditions",
    "app.domain.diagnosis",
    "app.domain.kinds",
    "app.domain.naming",
    "app.domain.numbers",
    "app.domain.peers",
    "app.domain.profile",
    "app.domain.ranking",
    "app.domain.sentences",
    "app.domain.strengths",
    "app.domain.thresholds",
)
# The C library the compiled modules share (mypyc's group), built beside them.
GROUP = "app.domain.engine"
ROOT = Path(__file__).resolve().parent.parent


def compiled_modules() -> list[str]:
    """The listed modules whose import would load a C extension rather than their source."""
    out = []
    for name in MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
            out.append(name)
    return out


def _extension(name: str) -> Path | None:
    """The extension built beside a module's source, if any. (Not the spec's origin: a compiled
    module first imported by another compiled one names a path that does not exist.)"""
    base = ROOT / name.replace(".", "/")
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if base.with_name(base.name + suffix).is_file():
            return base.with_name(base.name + suffix)
    return None


def stale_modules() -> list[str]:
    """The compiled modules whose source changed after the build: their extension still runs the
    old code (``make compile`` rebuilds, ``make clean-compiled`` goes back to the sources)."""
    out = []
    for name in compiled_modules():
        built = _extension(name)
        source = ROOT / (name.replace(".", "/") + ".py")
        if built is not None and source.stat().st_mtime > built.stat().st_mtime:
            out.append(name)
    return out


def describe() -> str:
    """One line for the startup log, so an operator can tell which engine a worker runs."""
    done = compiled_modules()
    if not done:
        return "engine: pure Python"
    names = ", ".join(name.rsplit(".", 1)[1] for name in done)
    line = f"engine: compiled by mypyc ({len(done)} of {len(MODULES)} modules: {names})"
    stale = stale_modules()
    if stale:
        line += (
            f"; stale, older than their sources: {', '.join(n.rsplit('.', 1)[1] for n in stale)}"
        )
    return line


def built_files() -> list[Path]:
    """The extensions a build leaves in the source tree (what ``clean`` removes)."""
    return sorted(
        path
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        for path in (ROOT / "app").rglob(f"*{suffix}")
    )


def build() -> None:
    """Compile the listed modules in place (mypyc, then the C compiler through setuptools).

    setuptools is driven directly rather than through ``mypyc``'s command line, which runs a
    generated setup.py that parses this project's pyproject.toml and so needs a recent setuptools
    where only the build needs an old one to work."""
    os.chdir(ROOT)  # the extensions are written in place, relative to the working directory
    mypyc_build = importlib.import_module("mypyc.build")
    setuptools = importlib.import_module("setuptools")
    sources = [name.replace(".", "/") + ".py" for name in MODULES]
    extensions = mypyc_build.mypycify(sources, group_name=GROUP, target_dir="build")
    dist = setuptools.Distribution({"name": "countypath-engine", "ext_modules": extensions})
    dist.script_args = ["build_ext", "--inplace", "--build-temp", "build/temp"]
    dist.parse_command_line()
    dist.run_commands()
    for path in built_files():
        path.touch()  # copied with the build directory's times, which may predate a source edit


def clean() -> None:
    """Remove the compiled extensions from the source tree: the pure engine runs again."""
    for path in built_files():
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "build":
        build()
    elif command == "clean":
        clean()
    elif command != "status":
        sys.exit("usage: python -m app.native [build|clean|status]")
    print(describe())
