"""Small readings of Python's syntax tree that every check shares.

Which name a call calls, which names an expression reads as data, which names an
assignment binds, statements in execution order, and the calls outside loops.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = [
    "calls_outside_loops",
    "data_names",
    "first_data_arg",
    "func_name",
    "int_value",
    "keyword",
    "span",
    "statements",
    "targets",
]


def func_name(node: ast.AST) -> str:
    """The called name: ``f`` for ``f(...)``, ``m`` for ``obj.m(...)``.

    Examples
    --------
    >>> func_name(ast.parse("scaler.fit(X)").body[0].value)
    'fit'
    """
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def data_names(node: ast.AST | None) -> set[str]:
    """Identifiers that name the data an expression reads (function names excluded).

    Examples
    --------
    >>> sorted(data_names(ast.parse("scaler.transform(df[cols])").body[0].value))
    ['cols', 'df', 'scaler']
    """
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return data_names(node.value) | {node.attr}
    if isinstance(node, ast.Subscript):
        return data_names(node.value) | data_names(node.slice)
    if isinstance(node, ast.Call):
        names = data_names(node.func.value) if isinstance(node.func, ast.Attribute) else set()
        for arg in node.args:
            names |= data_names(arg)
        for item in node.keywords:
            names |= data_names(item.value)
        return names
    if isinstance(node, ast.Lambda | ast.Constant):
        return set()
    names: set[str] = set()
    for child in ast.iter_child_nodes(node):
        names |= data_names(child)
    return names


def first_data_arg(call: ast.Call) -> ast.AST | None:
    """The data a fit or transform call receives: its first argument, or ``X=``."""
    if call.args:
        return call.args[0]
    for item in call.keywords:
        if item.arg in ("X", "x", "raw_documents", "data"):
            return item.value
    return None


def targets(node: ast.AST) -> set[str]:
    """Names bound by an assignment target (tuples unpacked)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Tuple | ast.List):
        names: set[str] = set()
        for element in node.elts:
            names |= targets(element)
        return names
    if isinstance(node, ast.Starred):
        return targets(node.value)
    return set()


def int_value(node: ast.AST | None, constants: dict[str, int]) -> int | None:
    """The integer an expression evaluates to, from literals and known constants, if it can tell."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            return None
        return int(node.value)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.FloorDiv):
        left, right = int_value(node.left, constants), int_value(node.right, constants)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        return left // right if right else None
    return None


def span(node: ast.AST) -> tuple[int, int]:
    """First and last line of a node."""
    return node.lineno, getattr(node, "end_lineno", None) or node.lineno


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    """The value of keyword argument ``name``, if given."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements in execution order, entering compound statements but not functions."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from statements(getattr(stmt, name, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from statements(handler.body)


def calls_outside_loops(tree: ast.Module) -> Iterator[ast.Call]:
    """The calls that run once: not inside a loop or a comprehension."""

    def visit(node: ast.AST, in_loop: bool) -> Iterator[ast.Call]:
        loop = isinstance(
            node,
            ast.For | ast.While | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
        )
        if isinstance(node, ast.Call) and not in_loop:
            yield node
        for child in ast.iter_child_nodes(node):
            yield from visit(child, in_loop or loop)

    yield from visit(tree, False)
