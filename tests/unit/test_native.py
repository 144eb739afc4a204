"""The optional compiled engine (app/native.py, ``make compile``) answers the same bytes as the
pure-Python one; without a build, the pure engine is what runs and what the startup log names."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import native

# A sample of bench.identical's digest (the Deqing profile, its scenario and synthetic profiles,
# in English and Chinese, full and summary, with and without the trace): enough to cross every
# compiled module, small enough for a unit test.
SAMPLE = 120
DIGEST = (
    "import sys\n"
    "if sys.argv[1] == 'pure':\n"
    "    from bench.pure import install\n"
    "    install()\n"
    "from app.native import describe\n"
    "from bench.identical import digest\n"
    f"value, n = digest({SAMPLE})\n"
    "print(describe())\n"
    "print(n, value)\n"
)


def _digest(mode: str) -> tuple[str, str]:
    """(the engine the child process says it runs, its digest) with the engine ``mode``."""
    env = os.environ | {"PYTHONPATH": str(native.ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", DIGEST, mode],
        cwd=native.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    engine, value = done.stdout.strip().splitlines()[-2:]
    return engine, value


def test_the_compiled_engine_gives_the_pure_engines_bytes() -> None:
    if not native.compiled_modules():
        pytest.skip("nothing is compiled (`make compile` builds the engine): only one engine here")
    compiled_engine, compiled = _digest("compiled")
    pure_engine, pure = _digest("pure")
    assert compiled_engine.startswith("engine: compiled by mypyc"), compiled_engine
    assert pure_engine == "engine: pure Python"
    assert compiled == pure


def test_the_listed_modules_are_pure_engine_modules() -> None:
    """Only app/domain sources, never the answer's records (result.py): orjson serialises those
    through their ``__dict__``, which a compiled class has not."""
    for name in native.MODULES:
        assert name.startswith("app.domain.")
        assert (native.ROOT / (name.replace(".", "/") + ".py")).is_file()
    assert "app.domain.result" not in native.MODULES


def test_the_description_names_the_engine_that_runs() -> None:
    compiled = native.compiled_modules()
    line = native.describe()
    if compiled:
        assert line.startswith("engine: compiled by mypyc")
        assert all(name.rsplit(".", 1)[1] in line for name in compiled)
    else:
        assert line == "engine: pure Python"
    assert set(compiled) <= set(native.MODULES)


def test_no_compiled_module_is_older_than_its_source() -> None:
    """An extension built before its source was edited would answer with the old code."""
    assert not native.stale_modules(), "rebuild (`make compile`) or remove (`make clean-compiled`)"
