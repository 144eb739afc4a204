"""One registry of problem codes: every code the code base can answer is registered, the
registry is complete, and docs/errors.md publishes exactly it."""

from __future__ import annotations

import ast
import os

from fastapi.testclient import TestClient

from app.errors import CODES, AppError, ErrorCode, codes_table
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "errors.md"
# Functions that render a problem, and the position of their ``code`` argument.
RENDERERS = {"problem_response": 2, "send_problem": 2, "_problem": 2, "_problem_bytes": 1}


def _code_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in RENDERERS:
                continue
            args = [kw.value for kw in node.keywords if kw.arg == "code"]
            if len(node.args) > RENDERERS[name]:
                args.append(node.args[RENDERERS[name]])
            found += [
                (a.lineno, a.value)
                for a in args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "code" for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.append((node.lineno, node.value.value))
    return found


def test_every_code_literal_is_registered() -> None:
    unknown = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for line, literal in _code_literals(ast.parse(path.read_text(encoding="utf-8"))):
            if literal.isupper() and literal not in ErrorCode.__members__:
                unknown.append(f"{path.relative_to(ROOT)}:{line}: {literal}")
    assert not unknown, "register these in app/errors.py: " + ", ".join(unknown)


def test_the_scan_sees_literals() -> None:
    """The scan above is not vacuous: it finds a literal where one is written."""
    tree = ast.parse('send_problem(send, 429, "NOPE", "t", "d", "/")\nclass X:\n    code = "ALSO"')
    assert [v for _, v in _code_literals(tree)] == ["NOPE", "ALSO"]


def test_registry_is_complete_and_raised_errors_use_it() -> None:
    assert set(CODES) == set(ErrorCode)
    pending: list[type[AppError]] = [AppError]
    while pending:
        cls = pending.pop()
        assert isinstance(cls.code, ErrorCode), cls
        assert CODES[cls.code].status == cls.status, cls
        pending += cls.__subclasses__()


def test_docs_table_is_current() -> None:
    """Refresh with UPDATE_OPENAPI_SNAPSHOT=1 (it regenerates every published artefact)."""
    text = DOCS.read_text(encoding="utf-8")
    head, marker, _ = text.partition("-->\n")
    assert marker, "docs/errors.md lost its generated-table marker"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        DOCS.write_text(head + marker + codes_table(), encoding="utf-8")
        text = DOCS.read_text(encoding="utf-8")
    assert text.endswith(marker + codes_table())


def test_problem_schema_publishes_the_known_codes_as_an_open_set(client: TestClient) -> None:
    """The known codes are one enum; the field also takes any other string, so a client reads a
    code added later (docs/versioning.md) instead of failing on it."""
    spec = client.get("/openapi.json").json()
    code = spec["components"]["schemas"]["Problem"]["properties"]["code"]
    known, other = code["anyOf"]
    assert other == {"type": "string"}
    named = spec["components"]["schemas"][known["$ref"].rsplit("/", 1)[-1]]
    assert named["enum"] == [c.value for c in ErrorCode]
    assert "open set" in named["description"]


def test_routing_errors_carry_registered_codes(client: TestClient) -> None:
    assert client.get("/v1/nothing-here").json()["code"] == "NOT_FOUND"
    assert client.delete("/healthz").json()["code"] == "METHOD_NOT_ALLOWED"
