"""AP4: a single ``train_test_split`` of small data that nothing cross-validates.

A score on a few hundred test rows moves by several points from one random split to
the next. A split is AP4 when the code shows the data is small (2,000 rows or fewer:
toy loaders, ``make_*`` generators, ``sample``/``head``, literal slices), the split
runs once (not in a loop of repeated splits), and no cross-validation in the file runs
on that data: its source, what is computed from it, or the split's own outputs.
Cross-validating other data elsewhere in the file does not excuse it.
"""

from __future__ import annotations

import ast

from mlstack.tools.lint.context import Context
from mlstack.tools.lint.dataflow import Lineage, cross_validated_data
from mlstack.tools.lint.rules import SMALL_LOADERS, SMALL_ROWS, Problem
from mlstack.tools.lint.syntax import (
    calls_outside_loops,
    data_names,
    func_name,
    int_value,
    keyword,
    span,
    statements,
    targets,
)

__all__ = ["check_single_splits", "stated_sizes"]


def check_single_splits(tree: ast.Module, context: Context) -> list[Problem]:
    """The AP4 problems of a module."""
    sizes = stated_sizes(tree)
    lineage = Lineage(tree, context.modules)
    validated = cross_validated_data(tree, context)
    outputs = _split_outputs(tree)
    problems = []
    for call in calls_outside_loops(tree):
        if func_name(call) != "train_test_split":
            continue
        data = set().union(set(), *(data_names(a) for a in call.args)) - context.modules
        known = [sizes[n] for n in data if n in sizes]
        if not known or max(known) > SMALL_ROWS:
            continue
        related = lineage.related(data | outputs.get(id(call), set()))
        if any(names & related for names in validated):
            continue
        n_rows = max(known)
        problems.append(
            Problem(
                "AP4",
                call,
                span(call),
                f"a single train_test_split of about {n_rows:,} rows, and no cross-validation "
                "of this data: a score on so few test rows changes by several points with "
                "the split; report cross_val_score (e.g. RepeatedStratifiedKFold) mean and std",
            )
        )
    return problems


def _split_outputs(tree: ast.Module) -> dict[int, set[str]]:
    """The names each ``train_test_split`` call's result is bound to, by the call's id."""
    out = {}
    for stmt in statements(tree.body):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            if func_name(stmt.value) == "train_test_split":
                out[id(stmt.value)] = set().union(*(targets(t) for t in stmt.targets))
    return out


def stated_sizes(tree: ast.Module) -> dict[str, int]:
    """Names whose number of rows the code states: toy loaders, ``make_*``, literal samples.

    Examples
    --------
    >>> stated_sizes(ast.parse("n = 800\\nsmall = df.sample(n=n)\\nX, y = load_iris()"))
    {'small': 800, 'X': 150, 'y': 150}
    """
    constants: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for stmt in statements(tree.body):
        if not isinstance(stmt, ast.Assign):
            continue
        bound: set[str] = set()
        for target in stmt.targets:
            bound |= targets(target)
        value = int_value(stmt.value, constants)
        if value is not None and len(bound) == 1:
            constants[next(iter(bound))] = value
        size = _size(stmt.value, constants, sizes)
        for name in sorted(bound, key=lambda n: _position(stmt, n)):
            if size is not None:
                sizes[name] = size
            else:
                sizes.pop(name, None)
    return sizes


def _position(stmt: ast.Assign, name: str) -> int:
    """Where ``name`` appears among an assignment's targets (keeps dicts in source order)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and node.id == name:
            return node.col_offset
    return 0


def _size(node: ast.AST, constants: dict[str, int], sizes: dict[str, int]) -> int | None:
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = func_name(call)
        if name in SMALL_LOADERS:
            return SMALL_LOADERS[name]
        if name.startswith("make_") and name not in ("make_pipeline", "make_column_transformer"):
            n = keyword(call, "n_samples")
            if n is None and call.args:
                n = call.args[0]
            return 100 if n is None else int_value(n, constants)
        if name in ("sample", "head") and isinstance(call.func, ast.Attribute):
            n = keyword(call, "n")
            if n is None and call.args:
                n = call.args[0]
            if n is None and name == "head":
                return 5
            value = int_value(n, constants) if n is not None else None
            if value is not None:
                return value
        for name_ in ("sample", "nrows", "n_rows", "n_samples"):
            value = keyword(call, name_)
            if value is not None:
                n = int_value(value, constants)
                if n is not None:
                    return n
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        upper = int_value(node.slice.upper, constants)
        if node.slice.lower is None and upper is not None:
            return upper
    known = [sizes[n] for n in data_names(node) if n in sizes]
    return max(known) if known else None
