"""The client toolchain: the published OpenAPI document, its linters (Redocly ``lint`` with the
recommended rules, Spectral ``oas``), the generated Python client (openapi-python-client) and the
TypeScript types (openapi-typescript). ``make clients`` runs :func:`main`; the client tests call
the same functions.

The Node tools come from the npm registry as pinned in package.json and package-lock.json, and
are installed into clients/node_modules (not committed) once per lock file: the install is
stamped with the lock file's hash and skipped while the stamp matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
NODE_MODULES = CLIENTS / "node_modules"
OUT = CLIENTS / "out"
LOCK = CLIENTS / "package-lock.json"
PYTHON_CONFIG = CLIENTS / "openapi-python-client.yaml"
PYTHON_TEMPLATES = CLIENTS / "python-templates"
SPECTRAL_RULESET = CLIENTS / ".spectral.yaml"


class ToolError(RuntimeError):
    """A tool failed; the message carries its output."""


def have_node() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def _run(args: list[str], cwd: Path = CLIENTS, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env or dict(os.environ)
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise ToolError(f"{' '.join(args[:3])} exited {done.returncode}:\n{output}")
    return output


def install_node_tools() -> Path:
    """``npm ci`` into clients/node_modules unless the installed tree matches the lock file."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    stamp = NODE_MODULES / f".countypath-lock-{digest}"
    if not stamp.exists():
        _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        stamp.touch()
    return NODE_MODULES / ".bin"


def document() -> dict[str, Any]:
    """The OpenAPI document exactly as the application publishes it at /openapi.json."""
    from app.main import create_app
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{folder}/spec.db"))
        return app.openapi()


def write_document(target: Path, spec: dict[str, Any] | None = None) -> Path:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(spec or document(), indent=1, ensure_ascii=False), "utf-8")
    return target


def redocly_lint(spec_path: Path) -> str:
    """Redocly's recommended rules; raises on any error (the output lists warnings too)."""
    return _run([str(install_node_tools() / "redocly"), "lint", str(spec_path)])


def spectral_lint(spec_path: Path) -> str:
    """Spectral's ``spectral:oas`` ruleset; raises on any error."""
    bin_dir = install_node_tools()
    args = [str(bin_dir / "spectral"), "lint", "-r", str(SPECTRAL_RULESET), "--fail-severity"]
    return _run([*args, "error", str(spec_path)])


def python_client(spec_path: Path, target: Path) -> str:
    """Generate the Python package ``countypath_client`` into ``target``; returns the
    generator's output, which names any warning."""
    if target.exists():
        shutil.rmtree(target)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    generator = Path(sys.executable).parent / "openapi-python-client"
    args = [str(generator), "generate", "--path", str(spec_path), "--output-path", str(target)]
    args += ["--config", str(PYTHON_CONFIG), "--custom-template-path", str(PYTHON_TEMPLATES)]
    return _run([*args, "--meta", "none"], cwd=ROOT, env=env)


def typescript_types(spec_path: Path, target: Path) -> Path:
    """``paths`` and ``components`` types for openapi-fetch, into ``target`` (a .d.ts file).

    A property with a default is optional unless the schema requires it: a request may leave
    out ``max_actions`` (the server applies the default), while an answer's schema lists every
    field it always carries as required. (openapi-typescript's own default makes every property
    with a default required, requests' included.)"""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    bin_dir = install_node_tools()
    args = [str(bin_dir / "openapi-typescript"), str(spec_path), "-o", str(target)]
    _run([*args, "--default-non-nullable=false"])
    return target


def typecheck(files: list[Path]) -> str:
    """``tsc --strict --noEmit`` over ``files``; raises with the compiler's messages."""
    args = [str(install_node_tools() / "tsc"), "--strict", "--noEmit", "--skipLibCheck"]
    args += ["--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"]
    return _run([*args, *(str(f.resolve()) for f in files)])


def main() -> None:
    """``make clients``: the document, both linters, and both clients under clients/out/."""
    spec_path = write_document(OUT / "openapi.json")
    redocly_lint(spec_path)
    spectral_lint(spec_path)
    output = python_client(spec_path, OUT / "python" / "countypath_client")
    if "warning" in output.lower():
        raise ToolError(output)
    types = typescript_types(spec_path, OUT / "typescript" / "countypath.d.ts")
    shutil.copy(CLIENTS / "usage.ts", types.parent / "usage.ts")
    typecheck([types.parent / "usage.ts"])
    print(f"wrote {OUT / 'python' / 'countypath_client'} and {types}")


if __name__ == "__main__":
    main()
