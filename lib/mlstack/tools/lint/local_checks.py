"""The rules one call or one loop shows: AP1 (row loops), AP2 (test data in selection), AP5.

``AP1``
    A Python loop over DataFrame rows: ``iterrows()``, ``itertuples()``, a row-wise
    ``apply(..., axis=1)``, or ``for i in range(len(df))`` that indexes ``df.iloc[i]`` /
    ``.loc`` / ``.at`` / ``.iat``.
``AP2``
    Test data used in model selection: a search (``GridSearchCV``...) or a
    cross-validation helper run on a test-named variable, early stopping on one
    (``eval_set=[(X_test, y_test)]``), or a loop over hyperparameter values that scores
    each candidate on test data.
``AP5``
    ``fit``/``fit_transform`` (or ``fit_predict``, ``partial_fit``) called on a
    test-named variable.
"""

from __future__ import annotations

import ast

from mlstack.tools.lint.context import Context, is_preprocessor
from mlstack.tools.lint.rules import (
    CV_FUNCTIONS,
    FIT_METHODS,
    NOT_HYPERPARAMETERS,
    ROW_INDEXERS,
    SCORING_METHODS,
    SCORING_SUFFIXES,
    Problem,
    is_train_name,
)
from mlstack.tools.lint.syntax import data_names, first_data_arg, func_name, keyword, span, targets

__all__ = ["check_calls_and_loops"]


def check_calls_and_loops(tree: ast.Module, context: Context) -> list[Problem]:
    """AP1, AP2 and AP5 problems of a module, in one walk of its tree."""
    problems: list[Problem] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            problems += _check_call(node, context)
        elif isinstance(node, ast.For):
            problems += _check_row_loop(node)
            problems += _check_tuning_loop(targets(node.target), list(node.body), context)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            bound = set().union(*(targets(g.target) for g in node.generators))
            problems += _check_tuning_loop(bound, [node.elt], context)
        elif isinstance(node, ast.DictComp):
            bound = set().union(*(targets(g.target) for g in node.generators))
            problems += _check_tuning_loop(bound, [node.key, node.value], context)
    return problems


def _check_call(call: ast.Call, context: Context) -> list[Problem]:
    problems = []
    name = func_name(call)
    if name in ("iterrows", "itertuples") and isinstance(call.func, ast.Attribute):
        problems.append(
            Problem(
                "AP1",
                call.func,
                span(call),
                f"{name}() loops over rows in Python; use column operations (vectorized "
                "arithmetic, np.where, groupby, merge) instead",
            )
        )
    elif name == "apply" and isinstance(call.func, ast.Attribute):
        axis = keyword(call, "axis")
        if isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
            problems.append(
                Problem(
                    "AP1",
                    call.func,
                    span(call),
                    "apply(..., axis=1) calls a Python function once per row; compute on whole "
                    "columns instead",
                )
            )
    if name in CV_FUNCTIONS:
        data = [*call.args[1:3], keyword(call, "X"), keyword(call, "y")]
        if context.is_test(set().union(*(data_names(d) for d in data))):
            problems.append(
                Problem(
                    "AP2",
                    call,
                    span(call),
                    f"{name}() runs on test data; cross-validate on the training data and keep "
                    "the test set for one final score",
                )
            )
    if name in FIT_METHODS and isinstance(call.func, ast.Attribute):
        problems += _check_fit(call, name, context)
    return problems


def _check_fit(call: ast.Call, method: str, context: Context) -> list[Problem]:
    problems = []
    receiver = call.func.value
    receiver_name = func_name(receiver) or "the estimator"
    for name in ("eval_set", "validation_data", "X_val"):
        value = keyword(call, name)
        if value is not None and context.is_test(data_names(value)):
            problems.append(
                Problem(
                    "AP2",
                    value,
                    span(value),
                    f"{name} uses test data: early stopping or model selection on the test "
                    "set makes its score optimistic; hold out a validation split of the "
                    "training data",
                )
            )
    data = data_names(first_data_arg(call))
    if not context.is_test(data):
        return problems
    if context.is_search(receiver):
        message = (
            f"a search ({receiver_name}) is fitted on test data, so hyperparameters are "
            "chosen by the test set; search on the training data"
        )
        problems.append(Problem("AP2", call, span(call), message))
    elif any(is_train_name(n) for n in data) and is_preprocessor(receiver, context.preprocessors):
        pass  # reported as AP3 (fitted on train and test together)
    else:
        message = (
            f"{method}() on test data: fit on the training data only, then call "
            "transform/predict on the test data (a Pipeline does this for you)"
        )
        problems.append(Problem("AP5", call, span(call), message))
    return problems


def _check_row_loop(loop: ast.For) -> list[Problem]:
    """AP1: ``for i in range(len(df))`` (or ``df.index``) reading ``df.iloc[i]``."""
    if not isinstance(loop.target, ast.Name) or not _iterates_row_positions(loop.iter):
        return []
    var = loop.target.id
    for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in ROW_INDEXERS
        ):
            index = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            if isinstance(index, ast.Name) and index.id == var:
                message = (
                    f"loop over row positions reading .{node.value.attr}[{var}] one row at a "
                    "time; use column operations instead"
                )
                lines = (loop.lineno, loop.iter.end_lineno or loop.lineno)
                return [Problem("AP1", loop, lines, message)]
    return []


def _check_tuning_loop(bound: set[str], body: list[ast.AST], context: Context) -> list[Problem]:
    """AP2: a loop over hyperparameter values that scores each candidate on test data."""
    if not bound:
        return []
    nodes = [n for b in body for n in ast.walk(b)]
    if not any(_sets_hyperparameter(n, bound) for n in nodes):
        return []
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        name = func_name(node)
        scoring = (isinstance(node.func, ast.Attribute) and name in SCORING_METHODS) or (
            name.endswith(SCORING_SUFFIXES)
        )
        if scoring and context.is_test(set().union(*(data_names(a) for a in node.args), set())):
            message = (
                "each hyperparameter candidate is scored on test data, so the choice "
                "tunes on the test set; compare candidates with cross-validation "
                "(GridSearchCV) on the training data"
            )
            return [Problem("AP2", node, span(node), message)]
    return []


def _iterates_row_positions(node: ast.AST) -> bool:
    """``range(len(df))``, ``range(df.shape[0])``, ``range(0, len(df))`` or ``df.index``."""
    if isinstance(node, ast.Attribute) and node.attr == "index":
        return True
    if not (isinstance(node, ast.Call) and func_name(node) == "range" and node.args):
        return False
    stop = node.args[-1] if len(node.args) <= 2 else node.args[1]
    if isinstance(stop, ast.Call) and func_name(stop) == "len":
        return True
    return (
        isinstance(stop, ast.Subscript)
        and isinstance(stop.value, ast.Attribute)
        and stop.value.attr == "shape"
    )


def _sets_hyperparameter(node: ast.AST, bound: set[str]) -> bool:
    """A constructor keyword or ``set_params`` that takes its value from the loop variable."""
    if not isinstance(node, ast.Call):
        return False
    name = func_name(node)
    if not (name[:1].isupper() or name == "set_params"):
        return False
    return any(
        item.arg not in NOT_HYPERPARAMETERS and data_names(item.value) & bound
        for item in node.keywords
    )
