"""The engine stays pure: app/domain imports no web framework, ORM or outer layer."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "app.db",
    "app.api",
    "app.services",
    "app.models",
)


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_imports_nothing_outer(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{module.name} imports {name}"


APP = DOMAIN.parent
# Where storage is put together: the app factory, the command line and the migration runner.
COMPOSITION = {"main.py", "cli.py", "migrate.py"}


def _imports(module: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``module``."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
    return out


@pytest.mark.parametrize(
    "module",
    sorted(p for p in APP.rglob("*.py") if "db" not in p.relative_to(APP).parts[:1]),
    ids=lambda p: str(p.relative_to(APP)),
)
def test_storage_is_reached_through_the_unit_of_work_only(module: Path) -> None:
    """No session outside app/db, and only the composition roots build the SQL unit of work:
    services, routes and the rest take a ``UnitOfWork`` (app.services.ports)."""
    for name, names in _imports(module):
        assert "Session" not in names, f"{module.name} imports a session from {name}"
        if module.name not in COMPOSITION or module.parent != APP:
            assert not name.startswith("app.db"), f"{module.name} imports {name}"
