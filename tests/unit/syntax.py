"""What the source checks read from a module's syntax tree."""

from __future__ import annotations

import ast


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants in ``tree``: prose, which the checks pass over."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found
