"""Derived-KPI expressions: what they may contain (arithmetic and abs() over KPIs and settings),
the names they read, and the order KPIs depend on each other (a cycle is a catalogue error)."""

from __future__ import annotations

import ast
from collections.abc import Iterable

PERIOD_NAME = "months"  # the only free name a derived expression may use besides KPIs and settings

_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
                  ast.USub, ast.Name, ast.Load, ast.Constant, ast.Call)


def expression_names(expression: str) -> set[str]:
    """The names a derived expression reads (function names excluded)."""
    tree = ast.parse(expression, mode="eval")
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def expression_problems(expression: str, known: set[str]) -> list[str]:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        return [f"not a valid arithmetic expression ({exc.msg})"]
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(f"{type(node).__name__} is not allowed; use + - * / abs() only")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id == "abs"
                                               and len(node.args) == 1 and not node.keywords):
            problems.append("only abs() may be called, with one value")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float)):
            problems.append(f"the constant {node.value!r} is not a number")
    problems += [f"names {name!r}, which is neither a KPI nor a setting" for name in sorted(expression_names(expression) - known)]
    return problems


def kpi_dependencies(kpi: dict) -> set[str]:
    """The KPIs a KPI is computed from (ratio parts or expression names)."""
    if kpi.get("type") == "ratio":
        return {ref for ref in (kpi.get("numerator"), kpi.get("denominator")) if isinstance(ref, str)}
    if kpi.get("type") == "derived" and isinstance(kpi.get("expression"), str):
        try:
            return expression_names(kpi["expression"])
        except SyntaxError:
            return set()
    return set()


def cycle_problems(kpis: dict) -> Iterable[str]:
    graph = {k: kpi_dependencies(v) & set(kpis) for k, v in kpis.items() if isinstance(v, dict)}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> str | None:
        if node in path:
            return " → ".join([*path[path.index(node):], node])
        if node in done:
            return None
        for child in graph.get(node, ()):
            cycle = visit(child, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for kpi_id in graph:
        cycle = visit(kpi_id, [])
        if cycle:
            yield f"kpis.{kpi_id}: depends on itself ({cycle})"
            return
