"""What a file binds that the checks need to know: searches, preprocessors, folds, modules.

Read once per file before any check runs: the names bound to a search
(``gs = GridSearchCV(...)``) or to a preprocessor (``scaler = StandardScaler()``), the
names of cross-validation folds (``for train, test in cv.split(X)``: fold indices, not
the test set, and what is computed from them), and the names imports bind (modules,
never data).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mlstack.tools.lint.rules import PREPROCESSORS, SEARCHES, is_preprocessor_name, is_test_name
from mlstack.tools.lint.syntax import data_names, func_name, targets

__all__ = ["Context", "is_preprocessor", "is_search_call"]


@dataclass
class Context:
    """Names a file binds, read before the checks run."""

    searches: set[str] = field(default_factory=set)
    preprocessors: set[str] = field(default_factory=set)
    fold_names: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, tree: ast.Module) -> Context:
        """Read the names of a module.

        Examples
        --------
        >>> code = "import numpy as np\\ns = StandardScaler()\\nfor tr, te in cv.split(X): pass"
        >>> context = Context.of(ast.parse(code))
        >>> sorted(context.preprocessors), sorted(context.fold_names), sorted(context.modules)
        (['s'], ['te', 'tr'], ['np'])
        """
        context = cls()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                bound = set().union(*(targets(t) for t in node.targets))
                if is_search_call(node.value):
                    context.searches |= bound
                if is_preprocessor(node.value, context.preprocessors):
                    context.preprocessors |= bound
            elif isinstance(node, ast.Import | ast.ImportFrom):
                context.modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
        context._collect_folds(tree)
        return context

    def is_test(self, names: set[str]) -> bool:
        """Whether some of ``names`` is test-named (CV fold indices excepted)."""
        return any(is_test_name(n) and n not in self.fold_names for n in names)

    def is_search(self, receiver: ast.AST) -> bool:
        """Whether a ``.fit`` receiver is a search (by its name, or a search built inline)."""
        if isinstance(receiver, ast.Name):
            return receiver.id in self.searches
        return is_search_call(receiver)

    def _collect_folds(self, tree: ast.Module) -> None:
        """Names bound by ``for train, test in cv.split(...)``: CV folds, not the test set."""
        for node in ast.walk(tree):
            if isinstance(node, ast.For | ast.comprehension):
                iterable = node.iter
                if isinstance(iterable, ast.Call) and func_name(iterable) == "enumerate":
                    iterable = iterable.args[0] if iterable.args else iterable
                if isinstance(iterable, ast.Call) and func_name(iterable) == "split":
                    self.fold_names |= targets(node.target)
        # ... and what is computed from them (X_test_fold = X.iloc[test_idx])
        assignments = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
        for _ in range(3):
            for node in assignments:
                if data_names(node.value) & self.fold_names:
                    self.fold_names |= set().union(*(targets(t) for t in node.targets))


def is_search_call(node: ast.AST) -> bool:
    """A search or a model with built-in CV: ``GridSearchCV(...)``, ``RidgeCV(...)``."""
    if not isinstance(node, ast.Call):
        return False
    name = func_name(node)
    return name in SEARCHES or (name.endswith("CV") and name[:1].isupper())


def is_preprocessor(node: ast.AST, known: set[str] | None = None) -> bool:
    """True for a preprocessing constructor call (or a Pipeline of them), or a known name.

    A name is known when the file binds it to a preprocessor, or when it says it is
    one (``scaler``, ``encoder``: the object may come from another file).
    """
    if isinstance(node, ast.Name):
        return (known is not None and node.id in known) or is_preprocessor_name(node.id)
    if not isinstance(node, ast.Call):
        return False
    name = func_name(node)
    if name in PREPROCESSORS:
        return True
    if name == "make_pipeline":
        return bool(node.args) and all(is_preprocessor(a, known) for a in node.args)
    if name == "Pipeline" and node.args and isinstance(node.args[0], ast.List):
        steps = [
            e.elts[1] for e in node.args[0].elts if isinstance(e, ast.Tuple) and len(e.elts) == 2
        ]
        return bool(steps) and all(is_preprocessor(s, known) for s in steps)
    return False
