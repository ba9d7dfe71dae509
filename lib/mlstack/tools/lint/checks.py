"""Static checks for the curriculum's anti-patterns in notebooks and scripts.

``mlstack lint PATH...`` reads the code cells of notebooks (``.ipynb``) and
Python files (``.py``, with or without ``# %%`` cells) with :mod:`ast`, never
running them, and reports each problem with its file, cell and line:

``AP1``
    A Python loop over DataFrame rows: ``iterrows()``, ``itertuples()``, a
    row-wise ``apply(..., axis=1)``, or ``for i in range(len(df))`` that indexes
    ``df.iloc[i]`` / ``.loc`` / ``.at`` / ``.iat``.
``AP2``
    Test data used in model selection: a search (``GridSearchCV``...) or a
    cross-validation helper run on a test-named variable, early stopping on one
    (``eval_set=[(X_test, y_test)]``), or a loop over hyperparameter values that
    scores each candidate on test data.
``AP3``
    A scaler, encoder, imputer or other fitted preprocessing learned before the
    split: fitted on data that is later split or cross-validated, or on train
    and test together.
``AP4``
    A single ``train_test_split`` on a dataset that is small (2,000 rows or
    fewer, when that can be told from the code: toy loaders, ``make_*``
    generators, literal samples) with no cross-validation anywhere in the file.
``AP5``
    ``fit``/``fit_transform`` (or ``fit_predict``, ``partial_fit``) called on a
    test-named variable.

A variable is *test-named* when a word of its name is ``test``, ``tst``,
``holdout`` or ``heldout`` (``X_test``, ``test_df``, ``Xtest``, ``X_te``),
except fold indices bound by a ``for ... in cv.split(...)`` loop.

Cells that show an anti-pattern on purpose carry a comment the linter honours::

    # mlstack-lint: allow AP1 AP3

on the offending line (for that line), on a comment line just above it, or as
the first line of a cell (for the whole cell; in a ``.py`` file without cells,
the whole file).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlstack.errors import InputError

__all__ = [
    "RULES",
    "LintFinding",
    "format_lint",
    "iter_lint_files",
    "lint_file",
    "lint_notebook",
    "lint_paths",
    "lint_source",
]

#: Rule IDs (the syllabus anti-patterns) and what each one catches.
RULES: dict[str, str] = {
    "AP1": "Python loop over DataFrame rows",
    "AP2": "test data used in model selection",
    "AP3": "preprocessing fitted before the split or on all data",
    "AP4": "single train/test split on small data without cross-validation",
    "AP5": "fit or fit_transform on test data",
}

#: At most this many rows is "small" for AP4: a 25% test set then has at most 500 rows,
#: and an accuracy measured on it moves by two points or more between random splits.
SMALL_ROWS = 2000

_ALLOW = re.compile(r"#\s*mlstack-lint:\s*allow\s+([A-Za-z0-9 ,]+)", re.IGNORECASE)
_RULE_ID = re.compile(r"\bAP\d+\b", re.IGNORECASE)

_FIT_METHODS = {"fit", "fit_transform", "fit_predict", "fit_resample", "partial_fit"}
_ROW_INDEXERS = {"iloc", "loc", "at", "iat"}
_SEARCHES = {
    "GridSearchCV",
    "RandomizedSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "TunedThresholdClassifierCV",
}
_CV_FUNCTIONS = {
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "learning_curve",
    "validation_curve",
    "permutation_test_score",
}
_SPLITTERS = {
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "StratifiedGroupKFold",
    "TimeSeriesSplit",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "LeaveOneOut",
    "LeavePOut",
    "LeaveOneGroupOut",
    "LeavePGroupsOut",
    "PredefinedSplit",
}
_PREPROCESSORS = {
    # sklearn.preprocessing
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "QuantileTransformer",
    "PowerTransformer",
    "KBinsDiscretizer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "TargetEncoder",
    "SplineTransformer",
    # imputation, decomposition, selection, text
    "SimpleImputer",
    "KNNImputer",
    "IterativeImputer",
    "PCA",
    "IncrementalPCA",
    "KernelPCA",
    "TruncatedSVD",
    "NMF",
    "FastICA",
    "SelectKBest",
    "SelectPercentile",
    "VarianceThreshold",
    "SelectFromModel",
    "RFE",
    "TfidfVectorizer",
    "CountVectorizer",
    "DictVectorizer",
    "ColumnTransformer",
    "make_column_transformer",
    # skrub
    "TableVectorizer",
    "MinHashEncoder",
    "GapEncoder",
    "StringEncoder",
    "TextEncoder",
    "SquashingScaler",
}
_SCORING_METHODS = {"score", "predict", "predict_proba", "predict_log_proba", "decision_function"}
_SCORING_SUFFIXES = ("_score", "_error", "_loss", "_deviance")
_SMALL_LOADERS = {
    "load_iris": 150,
    "load_wine": 178,
    "load_breast_cancer": 569,
    "load_diabetes": 442,
    "load_digits": 1797,
    "load_linnerud": 20,
}
_SIZE_KEYWORDS = ("n_samples", "sample", "n_rows", "nrows", "n")
_TEST_WORDS = {"test", "tst", "holdout", "heldout"}
_TRAIN_WORDS = {"train", "tr", "trn", "dev", "fit", "learn"}


@dataclass(frozen=True, order=True)
class LintFinding:
    """One anti-pattern found in a file.

    ``cell`` is the 1-based cell number in a notebook (``None`` in a ``.py``
    file) and ``line`` is counted within that cell (within the file for ``.py``).
    """

    path: str
    cell: int | None
    line: int
    col: int
    rule: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-serializable dict."""
        return {
            "path": self.path,
            "cell": self.cell,
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.path}:cell {self.cell}:" if self.cell is not None else f"{self.path}:"
        return f"{where}{self.line}:{self.col}: {self.rule} {self.message}"


# --------------------------------------------------------------------------------------------
# public entry points


def lint_paths(paths: Iterable[str | Path]) -> list[LintFinding]:
    """Lint notebooks and Python files; directories are searched recursively.

    Parameters
    ----------
    paths : iterable of str or pathlib.Path
        Files (``.ipynb``, ``.py``) or directories. Hidden directories and
        ``.ipynb_checkpoints`` are skipped.

    Returns
    -------
    list of LintFinding
        Sorted by file, cell and line.

    Raises
    ------
    InputError
        If a path does not exist, a file is neither a notebook nor Python, a
        notebook is not valid JSON, or a cell cannot be parsed.
    """
    findings: list[LintFinding] = []
    for path in iter_lint_files(paths):
        findings.extend(lint_file(path))
    return sorted(findings)


def lint_file(path: str | Path) -> list[LintFinding]:
    """Lint one ``.ipynb`` or ``.py`` file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory; check the path")
    if path.suffix == ".ipynb":
        return lint_notebook(path)
    if path.suffix == ".py":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read it ({type(exc).__name__})") from exc
        return lint_source(text, path=str(path))
    raise InputError(f"{path}: not a notebook or Python file; give .ipynb or .py files")


def lint_notebook(path: str | Path) -> list[LintFinding]:
    """Lint the code cells of a notebook (cells numbered from 1, as the reproduce engine does)."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a readable notebook ({type(exc).__name__})") from exc
    sources = []
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        sources.append((index, "".join(source) if isinstance(source, list) else source))
    return _lint_cells(sources, str(path), notebook=True)


def lint_source(source: str, *, path: str = "<string>") -> list[LintFinding]:
    """Lint Python source; ``# %%`` lines (jupytext percent format) start new cells.

    Examples
    --------
    >>> code = "for _, row in df.iterrows():\\n    total += row['x']\\n"
    >>> [str(f) for f in lint_source(code, path="demo.py")]  # doctest: +ELLIPSIS
    ['demo.py:1:15: AP1 iterrows() loops over rows in Python...']
    >>> lint_source("# mlstack-lint: allow AP1\\n" + code)
    []
    """
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("# %%")]
    if not starts:
        return _lint_cells([(None, source)], path, notebook=False)
    bounds = ([0] if starts[0] > 0 else []) + starts + [len(lines)]
    cells = []
    for number, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True), start=1):
        body = lines[start:end]
        if body and body[0].startswith("# %%"):
            if "[markdown]" in body[0]:
                continue
            # keep the marker line blank so line numbers stay those of the file
            cells.append((number, "\n".join(["", *body[1:]]), start))
        else:
            cells.append((number, "\n".join(body), start))
    return _lint_cells(cells, path, notebook=False)


def format_lint(findings: list[LintFinding], n_files: int | None = None) -> str:
    """Render findings one per line, then a summary line."""
    if not findings:
        checked = f" in {n_files} file(s)" if n_files is not None else ""
        return f"no anti-patterns found{checked}"
    lines = [str(f) for f in findings]
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    files = len({f.path for f in findings})
    rules = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
    lines.append(
        f"{len(findings)} problem(s) in {files} file(s) ({rules}); if a cell shows one on "
        "purpose, mark it with '# mlstack-lint: allow <ID>'"
    )
    return "\n".join(lines)


def iter_lint_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the files :func:`lint_paths` reads: files as given, directories searched."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory; check the path")
        if path.is_file():
            yield path
            continue
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path).parts
            if any(part.startswith(".") or part == "__pycache__" for part in relative):
                continue
            if candidate.is_file() and candidate.suffix in (".ipynb", ".py"):
                yield candidate


# --------------------------------------------------------------------------------------------
# assembling cells into one module, with suppressions


@dataclass
class _Source:
    path: str
    notebook: bool
    text: str = ""
    # for each line of ``text`` (0-based): (cell number, line shown to the user)
    where: list[tuple[int | None, int]] = field(default_factory=list)
    line_allow: dict[int, set[str]] = field(default_factory=dict)  # 1-based line of text
    cell_allow: dict[int | None, set[str]] = field(default_factory=dict)


_MAGIC_ASSIGN = re.compile(r"^(\s*[\w.,\s]+=\s*)[%!]")
_HELP = re.compile(r"^[\w.]+\?{1,2}\s*$")
_PY_CELL_MAGICS = {"time", "timeit", "capture", "prun", "memit", "debug"}


def _unmagic(source: str) -> str | None:
    """Replace IPython magics by ``pass`` (keeping line numbers); None for a non-Python cell."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        if first[2:].split()[0:1] and first[2:].split()[0] not in _PY_CELL_MAGICS:
            return None
        lines[0] = ""
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("%", "!")) or _HELP.match(stripped):
            out.append(f"{indent}pass")
        elif _MAGIC_ASSIGN.match(line):
            out.append(_MAGIC_ASSIGN.sub(lambda m: m.group(1) + "None  # ", line, count=1))
        else:
            out.append(line)
    return "\n".join(out)


def _allowed_rules(comment: str) -> set[str]:
    match = _ALLOW.search(comment)
    if not match:
        return set()
    return {rule.upper() for rule in _RULE_ID.findall(match.group(1))}


def _assemble(cells: list[tuple], path: str, notebook: bool) -> _Source:
    src = _Source(path, notebook)
    chunks: list[str] = []
    for cell in cells:
        number, code = cell[0], cell[1]
        offset = cell[2] if len(cell) > 2 else 0
        python = _unmagic(code)
        if python is None:
            continue
        lines = python.split("\n")
        first_code = next((line for line in lines if line.strip()), "")
        if first_code.lstrip().startswith("#"):
            src.cell_allow.setdefault(number, set()).update(_allowed_rules(first_code))
        base = len(src.where)
        for local, line in enumerate(lines, start=1):
            shown = local if notebook else offset + local
            src.where.append((number, shown))
            rules = _allowed_rules(line) if "#" in line else set()
            if rules:
                src.line_allow.setdefault(base + local, set()).update(rules)
                if line.lstrip().startswith("#"):  # a comment line also covers the next line
                    src.line_allow.setdefault(base + local + 1, set()).update(rules)
        chunks.append(python)
    src.text = "\n".join(chunks)
    return src


def _parse(src: _Source, cells: list[tuple]) -> ast.Module:
    try:
        return ast.parse(src.text)
    except SyntaxError as exc:
        line = exc.lineno or 1
        cell, shown = src.where[min(line, len(src.where)) - 1] if src.where else (None, line)
        where = f"cell {cell}, line {shown}" if src.notebook else f"line {shown}"
        raise InputError(
            f"{src.path}: {where}: cannot parse Python ({exc.msg}); fix it or lint a valid file"
        ) from exc


def _lint_cells(cells: list[tuple], path: str, *, notebook: bool) -> list[LintFinding]:
    src = _assemble(cells, path, notebook)
    if not src.text.strip():
        return []
    tree = _parse(src, cells)
    checker = _Checker()
    checker.run(tree)
    findings = []
    seen = set()
    for rule, node, span, message in checker.problems:
        line = node.lineno
        cell, shown = src.where[line - 1]
        if rule in src.cell_allow.get(cell, set()):
            continue
        if any(rule in src.line_allow.get(n, set()) for n in range(span[0], span[1] + 1)):
            continue
        key = (rule, line, node.col_offset)
        if key in seen:
            continue
        seen.add(key)
        findings.append(
            LintFinding(
                path, cell if notebook else None, shown, node.col_offset + 1, rule, message
            )
        )
    return sorted(findings)


# --------------------------------------------------------------------------------------------
# names


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    return [w for w in re.split(r"[_\d]+", spaced.lower()) if w]


def _is_test_name(name: str) -> bool:
    words = _words(name)
    if any(w in _TEST_WORDS for w in words):
        return True
    lower = name.lower()
    if re.fullmatch(r"(x|y|df|data)_?(test|tst|te|ho)\d*", lower):
        return True
    return len(words) > 1 and words[-1] == "te"  # X_te, y_te


def _is_train_name(name: str) -> bool:
    words = _words(name)
    return any(w in _TRAIN_WORDS for w in words) or bool(
        re.fullmatch(r"(x|y|df|data)_?(train|tr|trn)\d*", name.lower())
    )


def _func_name(node: ast.AST) -> str:
    """The called name: ``f`` for ``f(...)``, ``m`` for ``obj.m(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _data_names(node: ast.AST | None) -> set[str]:
    """Identifiers that name the data an expression reads (function names excluded)."""
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return _data_names(node.value) | {node.attr}
    if isinstance(node, ast.Subscript):
        return _data_names(node.value) | _data_names(node.slice)
    if isinstance(node, ast.Call):
        names = _data_names(node.func.value) if isinstance(node.func, ast.Attribute) else set()
        for arg in node.args:
            names |= _data_names(arg)
        for keyword in node.keywords:
            names |= _data_names(keyword.value)
        return names
    if isinstance(node, ast.Lambda | ast.Constant):
        return set()
    names: set[str] = set()
    for child in ast.iter_child_nodes(node):
        names |= _data_names(child)
    return names


def _first_data_arg(call: ast.Call) -> ast.AST | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("X", "x", "raw_documents", "data"):
            return keyword.value
    return None


def _targets(node: ast.AST) -> set[str]:
    """Names bound by an assignment target (tuples unpacked)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Tuple | ast.List):
        names: set[str] = set()
        for element in node.elts:
            names |= _targets(element)
        return names
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return set()


def _int_value(node: ast.AST | None, constants: dict[str, int]) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            return None
        return int(node.value)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.FloorDiv):
        left, right = _int_value(node.left, constants), _int_value(node.right, constants)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        return left // right if right else None
    return None


def _span(node: ast.AST) -> tuple[int, int]:
    return node.lineno, getattr(node, "end_lineno", None) or node.lineno


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# --------------------------------------------------------------------------------------------
# the checks


class _Checker:
    """Walk a module once for the local rules, then in statement order for data flow."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, ast.AST, tuple[int, int], str]] = []
        self.fold_names: set[str] = set()
        self.searches: set[str] = set()
        self.preprocessors: set[str] = set()

    def report(self, rule: str, node: ast.AST, message: str, span=None) -> None:
        self.problems.append((rule, node, span or _span(node), message))

    def is_test(self, names: set[str]) -> bool:
        return any(_is_test_name(n) and n not in self.fold_names for n in names)

    def run(self, tree: ast.Module) -> None:
        self._collect_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._check_call(node)
            elif isinstance(node, ast.For):
                self._check_row_loop(node)
                self._check_tuning_loop(_targets(node.target), list(node.body))
            elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
                bound = set().union(*(_targets(g.target) for g in node.generators))
                self._check_tuning_loop(bound, [node.elt])
            elif isinstance(node, ast.DictComp):
                bound = set().union(*(_targets(g.target) for g in node.generators))
                self._check_tuning_loop(bound, [node.key, node.value])
        _Flow(self).run(tree)
        self._check_single_split(tree)

    def _collect_names(self, tree: ast.Module) -> None:
        """Names bound to searches and preprocessors, and CV fold indices."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = set().union(*(_targets(t) for t in node.targets))
                if _is_search_call(node.value):
                    self.searches |= targets
                if _is_preprocessor(node.value, self.preprocessors):
                    self.preprocessors |= targets
        self._collect_folds(tree)

    def _collect_folds(self, tree: ast.Module) -> None:
        """Names bound by ``for train, test in cv.split(...)``: CV folds, not the test set."""
        for node in ast.walk(tree):
            if isinstance(node, ast.For | ast.comprehension):
                iterable = node.iter
                if isinstance(iterable, ast.Call) and _func_name(iterable) == "enumerate":
                    iterable = iterable.args[0] if iterable.args else iterable
                if isinstance(iterable, ast.Call) and _func_name(iterable) == "split":
                    self.fold_names |= _targets(node.target)
        # ... and what is computed from them (X_test_fold = X.iloc[test_idx])
        assignments = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
        for _ in range(3):
            for node in assignments:
                if _data_names(node.value) & self.fold_names:
                    self.fold_names |= set().union(*(_targets(t) for t in node.targets))

    # AP1, AP2 (searches, early stopping), AP5 ---------------------------------------------

    def _check_call(self, call: ast.Call) -> None:
        name = _func_name(call)
        if name in ("iterrows", "itertuples") and isinstance(call.func, ast.Attribute):
            self.report(
                "AP1",
                call.func,
                f"{name}() loops over rows in Python; use column operations (vectorized "
                "arithmetic, np.where, groupby, merge) instead",
                _span(call),
            )
        elif name == "apply" and isinstance(call.func, ast.Attribute):
            axis = _keyword(call, "axis")
            if isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
                self.report(
                    "AP1",
                    call.func,
                    "apply(..., axis=1) calls a Python function once per row; compute on whole "
                    "columns instead",
                    _span(call),
                )
        if name in _CV_FUNCTIONS:
            data = [*call.args[1:3], _keyword(call, "X"), _keyword(call, "y")]
            if self.is_test(set().union(*(_data_names(d) for d in data))):
                self.report(
                    "AP2",
                    call,
                    f"{name}() runs on test data; cross-validate on the training data and keep "
                    "the test set for one final score",
                )
        if name in _FIT_METHODS and isinstance(call.func, ast.Attribute):
            self._check_fit(call, name)

    def _check_fit(self, call: ast.Call, method: str) -> None:
        receiver = call.func.value
        receiver_name = _func_name(receiver) or "the estimator"
        for keyword in ("eval_set", "validation_data", "X_val"):
            value = _keyword(call, keyword)
            if value is not None and self.is_test(_data_names(value)):
                self.report(
                    "AP2",
                    value,
                    f"{keyword} uses test data: early stopping or model selection on the test "
                    "set makes its score optimistic; hold out a validation split of the "
                    "training data",
                )
        data = _data_names(_first_data_arg(call))
        if not self.is_test(data):
            return
        if self._is_search(receiver):
            self.report(
                "AP2",
                call,
                f"a search ({receiver_name}) is fitted on test data, so hyperparameters are "
                "chosen by the test set; search on the training data",
            )
        elif any(_is_train_name(n) for n in data) and _is_preprocessor(
            receiver, self.preprocessors
        ):
            return  # reported as AP3 (fitted on train and test together)
        else:
            self.report(
                "AP5",
                call,
                f"{method}() on test data: fit on the training data only, then call "
                "transform/predict on the test data (a Pipeline does this for you)",
            )

    def _is_search(self, receiver: ast.AST) -> bool:
        if isinstance(receiver, ast.Name):
            return receiver.id in self.searches
        return _is_search_call(receiver)

    # AP1: for i in range(len(df)): df.iloc[i] ----------------------------------------------

    def _check_row_loop(self, loop: ast.For) -> None:
        if not isinstance(loop.target, ast.Name):
            return
        var = loop.target.id
        if not _iterates_row_positions(loop.iter):
            return
        for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr in _ROW_INDEXERS
            ):
                index = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
                if isinstance(index, ast.Name) and index.id == var:
                    self.report(
                        "AP1",
                        loop,
                        f"loop over row positions reading .{node.value.attr}[{var}] one row at a "
                        "time; use column operations instead",
                        (loop.lineno, loop.iter.end_lineno or loop.lineno),
                    )
                    return

    # AP2: a loop over hyperparameter values that scores on test data ----------------------

    def _check_tuning_loop(self, bound: set[str], body: list[ast.AST]) -> None:
        if not bound:
            return
        nodes = [n for b in body for n in ast.walk(b)]
        if not any(_sets_hyperparameter(n, bound) for n in nodes):
            return
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            name = _func_name(node)
            scoring = (isinstance(node.func, ast.Attribute) and name in _SCORING_METHODS) or (
                name.endswith(_SCORING_SUFFIXES)
            )
            if not scoring:
                continue
            data = set().union(*(_data_names(a) for a in node.args), set())
            if self.is_test(data):
                self.report(
                    "AP2",
                    node,
                    "each hyperparameter candidate is scored on test data, so the choice "
                    "tunes on the test set; compare candidates with cross-validation "
                    "(GridSearchCV) on the training data",
                )
                return

    # AP4 ---------------------------------------------------------------------------------

    def _check_single_split(self, tree: ast.Module) -> None:
        names = {_func_name(n) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        if names & (_CV_FUNCTIONS | _SEARCHES | _SPLITTERS) or any(
            n.endswith("CV") and n[:1].isupper() for n in names
        ):
            return
        sizes = _SizeFlow().run(tree)
        for call in _calls_outside_loops(tree):
            if _func_name(call) != "train_test_split":
                continue
            known = [
                sizes[n] for a in call.args for n in _data_names(a) if n in sizes and n != "np"
            ]
            if known and max(known) <= SMALL_ROWS:
                n_rows = max(known)
                self.report(
                    "AP4",
                    call,
                    f"a single train_test_split of about {n_rows:,} rows and no cross-validation "
                    "in this file: a score on so few test rows changes by several points with "
                    "the split; report cross_val_score (e.g. RepeatedStratifiedKFold) mean and std",
                )


def _is_search_call(node: ast.AST) -> bool:
    """A search or a model with built-in CV: ``GridSearchCV(...)``, ``RidgeCV(...)``."""
    if not isinstance(node, ast.Call):
        return False
    name = _func_name(node)
    return name in _SEARCHES or (name.endswith("CV") and name[:1].isupper())


def _is_preprocessor(node: ast.AST, known: set[str] | None = None) -> bool:
    """True for a preprocessing constructor call (or a Pipeline of them), or a known name."""
    if isinstance(node, ast.Name):
        return known is not None and node.id in known
    if not isinstance(node, ast.Call):
        return False
    name = _func_name(node)
    if name in _PREPROCESSORS:
        return True
    if name == "make_pipeline":
        return bool(node.args) and all(_is_preprocessor(a, known) for a in node.args)
    if name == "Pipeline" and node.args and isinstance(node.args[0], ast.List):
        steps = [
            e.elts[1] for e in node.args[0].elts if isinstance(e, ast.Tuple) and len(e.elts) == 2
        ]
        return bool(steps) and all(_is_preprocessor(s, known) for s in steps)
    return False


def _iterates_row_positions(node: ast.AST) -> bool:
    """``range(len(df))``, ``range(df.shape[0])``, ``range(0, len(df))`` or ``df.index``."""
    if isinstance(node, ast.Attribute) and node.attr == "index":
        return True
    if not (isinstance(node, ast.Call) and _func_name(node) == "range" and node.args):
        return False
    stop = node.args[-1] if len(node.args) <= 2 else node.args[1]
    if isinstance(stop, ast.Call) and _func_name(stop) == "len":
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
    name = _func_name(node)
    constructor = name[:1].isupper()
    if not (constructor or name == "set_params"):
        return False
    for keyword in node.keywords:
        if keyword.arg in _NOT_HYPERPARAMETERS:
            continue
        if _data_names(keyword.value) & bound:
            return True
    return False


# Keywords that vary in a loop without being tuned: repeated seeds, resources, logging.
_NOT_HYPERPARAMETERS = {"random_state", "seed", "n_jobs", "verbose", "thread_count"}


def _calls_outside_loops(tree: ast.Module) -> Iterator[ast.Call]:
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


# --------------------------------------------------------------------------------------------
# data flow in statement order: AP3, and the search names AP2 needs


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements in execution order, entering compound statements but not functions."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(stmt, name, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _statements(handler.body)


_SINKS = _CV_FUNCTIONS | {"train_test_split", "split", "from_split", "HeldOutTestSet"}


class _Flow:
    """Follow, in statement order, preprocessors fitted on data that is split later.

    A fit is *unsplit* when its data is neither train- nor test-named and does not
    come out of a split. Its outputs (``fit_transform`` results, later
    ``transform`` results) are tainted, and so is anything computed from them;
    tainted data reaching ``train_test_split``, a CV helper, a splitter's
    ``split`` or the test guard is AP3, reported at the fit.
    """

    def __init__(self, checker: _Checker) -> None:
        self.checker = checker
        self.preprocessors = set(checker.preprocessors)
        self.fitted_unsplit: dict[str, ast.Call] = {}  # preprocessor name -> its fit call
        self.tainted: dict[str, ast.Call] = {}  # data name -> the fit it comes from
        self.split_outputs: set[str] = set()
        self.reported: set[int] = set()

    def run(self, tree: ast.Module) -> None:
        for stmt in _statements(tree.body):
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets: set[str] = set()
                containers: set[str] = set()  # df[cols] = ..., df.x = ...: df changes in part
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    targets |= _targets(target)
                    if isinstance(target, ast.Subscript | ast.Attribute):
                        containers |= {n for n in _data_names(target.value)}
                self._scan(stmt.value)
                source = self._taint_source(stmt.value)
                for name in targets:
                    if source is not None:
                        self.tainted[name] = source
                    else:
                        self.tainted.pop(name, None)
                if source is not None:
                    for name in containers:
                        self.tainted.setdefault(name, source)
                if any(
                    isinstance(c, ast.Call) and _func_name(c) in _SINKS
                    for c in ast.walk(stmt.value)
                ):
                    self.split_outputs |= targets
            elif isinstance(stmt, ast.For):
                self._scan(stmt.iter)
            elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for node in ast.iter_child_nodes(stmt):
                    if isinstance(node, ast.expr):
                        self._scan(node)

    def _is_fit(self, call: ast.AST) -> bool:
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("fit", "fit_transform")
            and _is_preprocessor(call.func.value, self.preprocessors)
        )

    def _unsplit(self, fit: ast.Call) -> bool:
        data = _data_names(_first_data_arg(fit))
        return bool(data) and not (
            self.checker.is_test(data)
            or any(_is_train_name(n) for n in data)
            or data & self.split_outputs
        )

    def _scan(self, node: ast.AST) -> None:
        """Record fits on unsplit data; report when tainted data reaches a split or CV."""
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            if self._is_fit(call):
                data = _data_names(_first_data_arg(call))
                label = _func_name(call.func.value) or "a preprocessor"
                if self.checker.is_test(data) and any(_is_train_name(n) for n in data):
                    self._report(
                        call,
                        f"{label} is fitted on train and test together, so test statistics "
                        "leak into training; fit it on the training data only (inside a "
                        "Pipeline)",
                    )
                elif self._unsplit(call) and isinstance(call.func.value, ast.Name):
                    self.fitted_unsplit[call.func.value.id] = call
            if _func_name(call) not in _SINKS:
                continue
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                fit = self._taint_source(arg)
                if fit is not None:
                    label = _func_name(fit.func.value) or "a preprocessor"
                    self._report(
                        fit,
                        f"{label} is fitted on all the data before {_func_name(call)}(), so "
                        "statistics of the held-out rows leak into training; put it in a "
                        "Pipeline and fit that on the training part only",
                    )

    def _taint_source(self, value: ast.AST) -> ast.Call | None:
        """The unsplit fit that ``value`` was computed from, if any."""
        for call in ast.walk(value):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                continue
            if self._is_fit(call) and self._unsplit(call):
                if call.func.attr == "fit_transform" or _is_transform_of(value):
                    return call
            if (
                call.func.attr == "transform"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in self.fitted_unsplit
            ):
                return self.fitted_unsplit[call.func.value.id]
        for name in _data_names(value):
            if name in self.tainted:
                return self.tainted[name]
        return None

    def _report(self, fit: ast.Call, message: str) -> None:
        if id(fit) in self.reported:
            return
        self.reported.add(id(fit))
        self.checker.report("AP3", fit, message)


def _is_transform_of(value: ast.AST) -> bool:
    return any(
        isinstance(c, ast.Call)
        and isinstance(c.func, ast.Attribute)
        and c.func.attr == "transform"
        for c in ast.walk(value)
    )


# --------------------------------------------------------------------------------------------
# AP4 sizes


class _SizeFlow:
    """Names whose number of rows the code states: toy loaders, make_*, literal samples."""

    def run(self, tree: ast.Module) -> dict[str, int]:
        constants: dict[str, int] = {}
        sizes: dict[str, int] = {}
        for stmt in _statements(tree.body):
            if not isinstance(stmt, ast.Assign):
                continue
            targets: set[str] = set()
            for target in stmt.targets:
                targets |= _targets(target)
            value = _int_value(stmt.value, constants)
            if value is not None and len(targets) == 1:
                constants[next(iter(targets))] = value
            size = self._size(stmt.value, constants, sizes)
            for name in targets:
                if size is not None:
                    sizes[name] = size
                else:
                    sizes.pop(name, None)
        return sizes

    def _size(self, node: ast.AST, constants: dict[str, int], sizes: dict[str, int]) -> int | None:
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            name = _func_name(call)
            if name in _SMALL_LOADERS:
                return _SMALL_LOADERS[name]
            if name.startswith("make_") and name not in (
                "make_pipeline",
                "make_column_transformer",
            ):
                n = _keyword(call, "n_samples")
                if n is None and call.args:
                    n = call.args[0]
                return 100 if n is None else _int_value(n, constants)
            if name in ("sample", "head") and isinstance(call.func, ast.Attribute):
                n = _keyword(call, "n")
                if n is None and call.args:
                    n = call.args[0]
                if n is None and name == "head":
                    return 5
                value = _int_value(n, constants) if n is not None else None
                if value is not None:
                    return value
            for keyword in ("sample", "nrows", "n_rows", "n_samples"):
                value = _keyword(call, keyword)
                if value is not None:
                    n = _int_value(value, constants)
                    if n is not None:
                        return n
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            upper = _int_value(node.slice.upper, constants)
            if node.slice.lower is None and upper is not None:
                return upper
        known = [sizes[n] for n in _data_names(node) if n in sizes]
        return max(known) if known else None
