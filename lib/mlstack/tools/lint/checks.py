"""Static checks for the curriculum's anti-patterns in notebooks and scripts.

``mlstack lint PATH...`` reads the code cells of notebooks (``.ipynb``) and Python
files (``.py``, with or without ``# %%`` cells) with :mod:`ast`, never running them, and
reports each problem with its file, cell and line. The rules (:data:`RULES`):

``AP1``, ``AP2``, ``AP5`` (:mod:`~mlstack.tools.lint.local_checks`)
    Row loops; test data used in model selection; fitting on test data.
``AP3`` (:mod:`~mlstack.tools.lint.dataflow`)
    A preprocessor fitted on data that is then split or cross-validated, whatever the
    data is called, or fitted on train and test together.
``AP4`` (:mod:`~mlstack.tools.lint.single_split`)
    A single split of data the code shows is small, which no cross-validation in the
    file runs on.

Cells are read the way IPython reads them (:mod:`~mlstack.tools.lint.source`); one that
still cannot be parsed is skipped with an
:class:`~mlstack.tools.lint.source.UnparsableCellWarning` naming file, cell and line,
and every other cell and file is linted. A deliberate demonstration is silenced with
``# mlstack-lint: allow AP3`` on its line, or as a cell's first line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from mlstack.errors import InputError
from mlstack.tools.lint.context import Context
from mlstack.tools.lint.dataflow import DataFlow

# The module once held everything; format_lint stays importable from it (notebook 11).
from mlstack.tools.lint.formatting import format_lint
from mlstack.tools.lint.local_checks import check_calls_and_loops
from mlstack.tools.lint.rules import RULES, LintFinding, Problem
from mlstack.tools.lint.single_split import check_single_splits
from mlstack.tools.lint.source import Cell, Module, assemble, script_cells

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
        If a path does not exist, a file is neither a notebook nor Python, or a
        notebook is not valid JSON. A cell that cannot be parsed is not an error:
        it is skipped with an ``UnparsableCellWarning`` and the rest is linted.
    """
    findings: list[LintFinding] = []
    for path in iter_lint_files(paths):
        findings.extend(lint_file(path))
    return sorted(findings)


def lint_file(path: str | Path) -> list[LintFinding]:
    """Lint one ``.ipynb`` or ``.py`` file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory; check the path", path=path)
    if path.suffix == ".ipynb":
        return lint_notebook(path)
    if path.suffix == ".py":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read it ({type(exc).__name__})", path=path) from exc
        return lint_source(text, path=str(path))
    raise InputError(f"{path}: not a notebook or Python file; give .ipynb or .py files", path=path)


def lint_notebook(path: str | Path) -> list[LintFinding]:
    """Lint the code cells of a notebook (cells numbered from 1, as the reproduce engine does)."""
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a readable notebook ({type(exc).__name__})", path=path
        ) from exc
    code = []
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        code.append(Cell(index, "".join(source) if isinstance(source, list) else source))
    return _lint(assemble(code, str(path), notebook=True))


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
    return _lint(assemble(script_cells(source), path, notebook=False))


def iter_lint_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the files :func:`lint_paths` reads: files as given, directories searched."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory; check the path", path=path)
        if path.is_file():
            yield path
            continue
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path).parts
            if any(part.startswith(".") or part == "__pycache__" for part in relative):
                continue
            if candidate.is_file() and candidate.suffix in (".ipynb", ".py"):
                yield candidate


def _lint(module: Module) -> list[LintFinding]:
    """Run every rule on an assembled module; place each problem in its cell and line."""
    if module.tree is None:
        return []
    context = Context.of(module.tree)
    problems: list[Problem] = [
        *check_calls_and_loops(module.tree, context),
        *DataFlow(context).run(module.tree),
        *check_single_splits(module.tree, context),
    ]
    findings = []
    seen = set()
    for rule, node, lines, message in problems:
        if module.allowed(rule, lines):
            continue
        key = (rule, node.lineno, node.col_offset)
        if key in seen:
            continue
        seen.add(key)
        cell, shown = module.where[node.lineno - 1]
        findings.append(
            LintFinding(
                module.path,
                cell if module.notebook else None,
                shown,
                node.col_offset + 1,
                rule,
                message,
            )
        )
    return sorted(findings)
