"""Running Alembic from countypath: locating the scripts and asking whether we are at head.

Alembic is imported by the functions that run it, not by this module: a serving worker asks
only for the head revision (readiness), which is read from the scripts' own ``revision`` and
``down_revision`` lines, and importing Alembic would cost each worker about 10 MB it never uses.
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.db.engine import normalize_url

if TYPE_CHECKING:
    from alembic.config import Config


def migrations_dir() -> Path:
    """The scripts sit beside the package in a checkout and in the working directory otherwise."""
    override = os.environ.get("COUNTYPATH_MIGRATIONS_DIR")
    candidates = [Path(override)] if override else []
    candidates += [Path(__file__).resolve().parent.parent / "migrations", Path.cwd() / "migrations"]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("cannot find the migrations directory (set COUNTYPATH_MIGRATIONS_DIR)")


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The revision no script names as its ``down_revision`` (what Alembic calls the head),
    read from the scripts' module-level assignments without importing Alembic or the scripts."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        names = _assigned(script, ("revision", "down_revision"))
        revision, down = names.get("revision"), names.get("down_revision")
        if isinstance(revision, str):
            revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):  # a merge names several
            parents.update(str(d) for d in down)
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None


def _assigned(script: Path, names: tuple[str, ...]) -> dict[str, object]:
    """The literal values a script assigns to ``names`` at module level."""
    found: dict[str, object] = {}
    target: ast.expr
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            found[target.id] = ast.literal_eval(value)
    return found


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
