"""AP3, preprocessing fitted before a split, followed through the data in statement order.

A preprocessor (scaler, encoder, imputer, PCA...) fitted on some data has seen every row
of it. When that data, or what the preprocessor made of it, is then split or
cross-validated, the held-out rows of that split were part of the fit: their statistics
leak into training. Whatever the data is called: ``X_scaled = scaler.fit_transform(X)``
before ``train_test_split(X_scaled, y)`` leaks the test rows, and ``X_train_scaled =
scaler.fit_transform(X_train)`` before ``cross_val_score(model, X_train_scaled,
y_train)`` leaks each fold's validation rows.

:class:`DataFlow` walks the statements in execution order (across cells). A fit's
outputs are *tainted*: its ``fit_transform`` result, and later ``transform`` results of
the same data (transforming other data, such as the test set, taints nothing). Anything
computed from tainted data is tainted. Tainted data reaching a splitter or a
cross-validation (``train_test_split``, ``cross_val_score`` and its siblings, a
splitter's ``split``, a search's or a ``*CV`` model's ``fit``, the test guard) is AP3,
reported at the fit. A fit on train and test together is AP3 at once.

:class:`Lineage` records which names are computed from which, for AP4.
"""

from __future__ import annotations

import ast

from mlstack.tools.lint.context import Context, is_preprocessor
from mlstack.tools.lint.rules import CV_FUNCTIONS, Problem, is_train_name
from mlstack.tools.lint.syntax import (
    data_names,
    first_data_arg,
    func_name,
    span,
    statements,
    targets,
)

__all__ = ["SPLITTING_CALLS", "DataFlow", "Lineage", "cross_validated_data"]

#: Calls that hold out part of the data they receive.
SPLITTING_CALLS = CV_FUNCTIONS | {"train_test_split", "split", "from_split", "HeldOutTestSet"}


class DataFlow:
    """Follow, in statement order, preprocessors fitted on data that is split later."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.fits: dict[str, tuple[ast.Call, set[str]]] = {}  # fitted name -> (fit, its data)
        self.tainted: dict[str, ast.Call] = {}  # data name -> the fit it comes from
        self.problems: list[Problem] = []
        self._reported: set[int] = set()

    def run(self, tree: ast.Module) -> list[Problem]:
        """Return the AP3 problems of a module."""
        for stmt in statements(tree.body):
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                self._assign(stmt)
            elif isinstance(stmt, ast.For):
                self._scan(stmt.iter)
            elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for node in ast.iter_child_nodes(stmt):
                    if isinstance(node, ast.expr):
                        self._scan(node)
        return self.problems

    def _assign(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        bound: set[str] = set()
        containers: set[str] = set()  # df[cols] = ..., df.x = ...: df changes in part
        for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
            bound |= targets(target)
            if isinstance(target, ast.Subscript | ast.Attribute):
                containers |= data_names(target.value)
        self._scan(stmt.value)
        fit = self._fit_data(stmt.value)
        if fit is not None:  # scaler = StandardScaler().fit(X): the name holds the fitted one
            for name in bound:
                self.fits[name] = fit
        source = self._taint_source(stmt.value)
        for name in bound:
            if source is not None:
                self.tainted[name] = source
            else:
                self.tainted.pop(name, None)
        if source is not None:
            for name in containers:
                self.tainted.setdefault(name, source)

    def _is_fit(self, call: ast.AST) -> bool:
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("fit", "fit_transform")
            and is_preprocessor(call.func.value, self.context.preprocessors | set(self.fits))
        )

    def _fit_data(self, value: ast.AST) -> tuple[ast.Call, set[str]] | None:
        """The fit and its data, when ``value`` is a preprocessor's ``fit`` on non-test data."""
        if isinstance(value, ast.Call) and self._is_fit(value) and value.func.attr == "fit":
            data = data_names(first_data_arg(value)) - self.context.modules
            if data and not self.context.is_test(data):
                return value, data
        return None

    def _scan(self, node: ast.AST) -> None:
        """Record fits; report tainted data reaching a split or a cross-validation."""
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            if self._is_fit(call):
                data = data_names(first_data_arg(call))
                if self.context.is_test(data) and any(is_train_name(n) for n in data):
                    label = func_name(call.func.value) or "a preprocessor"
                    self._report(
                        call,
                        f"{label} is fitted on train and test together, so test statistics "
                        "leak into training; fit it on the training data only (inside a "
                        "Pipeline)",
                    )
                elif isinstance(call.func.value, ast.Name) and not self.context.is_test(data):
                    self.fits[call.func.value.id] = (call, data - self.context.modules)
            if not self._splits(call):
                continue
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                fit = self._taint_source(arg)
                if fit is not None:
                    label = func_name(fit.func.value) or "a preprocessor"
                    fitted = ", ".join(sorted(data_names(first_data_arg(fit)))) or "the data"
                    self._report(
                        fit,
                        f"{label} is fitted on {fitted} before {_sink_name(call)}() holds out "
                        "part of it, so statistics of the held-out rows leak into training; "
                        "put it in a Pipeline and fit that on the training part only",
                    )

    def _splits(self, call: ast.Call) -> bool:
        """A call that holds out part of its data: a splitter, a CV helper, a search's fit."""
        if func_name(call) in SPLITTING_CALLS:
            return True
        return (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "fit"
            and self.context.is_search(call.func.value)
        )

    def _taint_source(self, value: ast.AST) -> ast.Call | None:
        """The fit that ``value`` was computed from (transforming the fit's own data), if any."""
        for call in ast.walk(value):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                continue
            if self._is_fit(call) and not self.context.is_test(data_names(first_data_arg(call))):
                if call.func.attr == "fit_transform" or _transforms(value, call):
                    return call
            if call.func.attr == "transform" and isinstance(call.func.value, ast.Name):
                fitted = self.fits.get(call.func.value.id)
                if fitted is not None and data_names(first_data_arg(call)) & fitted[1]:
                    return fitted[0]
        for name in data_names(value):
            if name in self.tainted:
                return self.tainted[name]
        return None

    def _report(self, fit: ast.Call, message: str) -> None:
        if id(fit) in self._reported:
            return
        self._reported.add(id(fit))
        self.problems.append(Problem("AP3", fit, span(fit), message))


def _transforms(value: ast.AST, fit: ast.Call) -> bool:
    """``fit(X).transform(X)`` in ``value``: a transform of the fit's own data."""
    fitted = data_names(first_data_arg(fit))
    return any(
        isinstance(c, ast.Call)
        and isinstance(c.func, ast.Attribute)
        and c.func.attr == "transform"
        and c.func.value is fit
        and data_names(first_data_arg(c)) & fitted
        for c in ast.walk(value)
    )


def _sink_name(call: ast.Call) -> str:
    name = func_name(call)
    if name == "fit" and isinstance(call.func, ast.Attribute):
        return f"{func_name(call.func.value) or 'a search'}.fit"
    return name


class Lineage:
    """Which names are computed from which, over a whole module.

    Module names (``np``) and names only ever bound to literals (``seed = 0``) link
    nothing, so two tables that share a seed are not taken for one.

    Examples
    --------
    >>> tree = ast.parse("X = df[cols]\\nXa, Xb = split(X)\\nZ = other")
    >>> sorted(Lineage(tree, set()).related({"X"}))
    ['X', 'Xa', 'Xb', 'cols', 'df']
    """

    def __init__(self, tree: ast.Module, modules: set[str]) -> None:
        self.parents: dict[str, set[str]] = {}
        self.children: dict[str, set[str]] = {}
        assignments = [
            stmt
            for stmt in statements(tree.body)
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None
        ]
        # names only ever bound to literals (seed = 0, n = 800) link nothing
        literal: dict[str, bool] = {}
        for stmt in assignments:
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                for name in targets(target):
                    literal[name] = literal.get(name, True) and not data_names(stmt.value)
        constants = {name for name, only in literal.items() if only}
        for stmt in assignments:
            sources = data_names(stmt.value) - modules - constants
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                for name in targets(target):
                    self.parents.setdefault(name, set()).update(sources - {name})
                    for source in sources - {name}:
                        self.children.setdefault(source, set()).add(name)

    def related(self, names: set[str]) -> set[str]:
        """``names``, what they come from, and everything computed from either."""
        ancestors = _closure(names, self.parents)
        return _closure(ancestors, self.children)


def cross_validated_data(tree: ast.Module, context: Context) -> list[set[str]]:
    """The data each cross-validation of a module runs on (CV helpers, splits, searches)."""
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = func_name(call)
        if name in CV_FUNCTIONS:
            data = [*call.args[1:3], *(k.value for k in call.keywords if k.arg in ("X", "y"))]
        elif name == "split" and isinstance(call.func, ast.Attribute):
            data = list(call.args)
        elif name == "fit" and context.is_search(call.func.value):
            data = list(call.args[:2])
        else:
            continue
        names = set().union(set(), *(data_names(d) for d in data)) - context.modules
        if names:
            found.append(names)
    return found


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    frontier = list(start)
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
