"""Derived-indicator formulas: small arithmetic expressions kept in the data, compiled once.

Grammar: numbers, indicator keys (the county's values), ``benchmark.<key>`` (the chosen
benchmark's values), ``+ - * /`` and parentheses. Anything else is refused at compile time, so
an analyst can edit a formula without being able to run code.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Values = Mapping[str, float]
Evaluator = Callable[[Values, Values], float | None]

_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class FormulaError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Formula:
    text: str
    county_inputs: frozenset[str]
    benchmark_inputs: frozenset[str]
    evaluate: Evaluator


def compile_formula(text: str) -> Formula:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"cannot parse formula {text!r}") from exc
    county: set[str] = set()
    bench: set[str] = set()
    fn = _build(tree.body, county, bench)

    def evaluate(values: Values, benchmark: Values) -> float | None:
        try:
            result = fn(values, benchmark)
        except (KeyError, ZeroDivisionError, OverflowError):
            return None
        return result if math.isfinite(result) else None

    return Formula(text, frozenset(county), frozenset(bench), evaluate)


def _build(node: ast.expr, county: set[str], bench: set[str]) -> Callable[[Values, Values], float]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise FormulaError("booleans are not numbers")
        constant = float(node.value)
        return lambda _v, _b: constant
    if isinstance(node, ast.Name):
        name = node.id
        county.add(name)
        return lambda v, _b: v[name]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "benchmark"
    ):
        attr = node.attr
        bench.add(attr)
        return lambda _v, b: b[attr]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left = _build(node.left, county, bench)
        right = _build(node.right, county, bench)
        return lambda v, b: op(left(v, b), right(v, b))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _build(node.operand, county, bench)
        return lambda v, b: -inner(v, b)
    raise FormulaError(f"unsupported element in formula: {ast.dump(node)[:60]}")
