"""From notebooks and scripts to one Python module per file, cell by cell.

A notebook's code cells (or a ``# %%`` script's cells) are read as IPython reads them:
a cell that is not plain Python is passed through IPython's own input transformers
(:class:`IPython.core.inputtransformer2.TransformerManager`), which turn magics, shell
escapes (``!cmd``, ``files = !ls``), help (``obj?``) and their line continuations into
Python calls. Line numbers are kept: a construct that IPython joins from several lines
is padded back to as many lines. Cell magics whose body is Python (``%%time``,
``%%capture``...) keep their body; other cell magics (``%%bash``, ``%%sql``) are not
Python and are skipped.

A cell that still cannot be parsed is skipped with an :class:`UnparsableCellWarning`
naming its file, cell and line, and every other cell is linted.

Cells that show an anti-pattern on purpose carry ``# mlstack-lint: allow AP1 AP3`` on
the offending line (for that line), on a comment line just above it, or as the first
line of a cell (for the whole cell; in a ``.py`` file without cells, the whole file).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Cell", "Module", "UnparsableCellWarning", "assemble", "script_cells"]

_ALLOW = re.compile(r"#\s*mlstack-lint:\s*allow\s+([A-Za-z0-9 ,]+)", re.IGNORECASE)
_RULE_ID = re.compile(r"\bAP\d+\b", re.IGNORECASE)
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "memit", "debug", "snakeviz"}


class UnparsableCellWarning(UserWarning):
    """A cell (or a script) that is not valid Python even for IPython; it was not linted.

    Parameters
    ----------
    path : str
        The file.
    cell : int or None
        The 1-based cell number (None in a ``.py`` file).
    line : int
        The line of the error, within the cell (within the file for ``.py``).
    reason : str
        Python's message.

    Examples
    --------
    >>> str(UnparsableCellWarning("nb.ipynb", 4, 2, "invalid syntax"))
    'nb.ipynb: cell 4, line 2: cannot parse it as Python (invalid syntax); it was not linted'
    """

    def __init__(self, path: str, cell: int | None, line: int, reason: str) -> None:
        self.path, self.cell, self.line, self.reason = path, cell, line, reason
        where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
        super().__init__(
            f"{path}: {where}: cannot parse it as Python ({reason}); it was not linted"
        )


@dataclass
class Cell:
    """One cell's source: its number (None for a whole ``.py`` file) and first line in the file."""

    number: int | None
    code: str
    offset: int = 0


@dataclass
class Module:
    """The parseable cells of a file joined into one module, with where each line came from."""

    path: str
    notebook: bool
    tree: ast.Module | None = None
    # for each line of the module (0-based): (cell number, line shown to the user)
    where: list[tuple[int | None, int]] = field(default_factory=list)
    line_allow: dict[int, set[str]] = field(default_factory=dict)  # 1-based module line
    cell_allow: dict[int | None, set[str]] = field(default_factory=dict)

    def allowed(self, rule: str, span: tuple[int, int]) -> bool:
        """Whether an allow comment silences ``rule`` for module lines ``span`` (inclusive)."""
        cell = self.where[span[0] - 1][0]
        if rule in self.cell_allow.get(cell, set()):
            return True
        return any(rule in self.line_allow.get(n, set()) for n in range(span[0], span[1] + 1))


def script_cells(source: str) -> list[Cell]:
    """Split a script on ``# %%`` lines (jupytext percent format); markdown cells are dropped.

    Examples
    --------
    >>> [(c.number, c.offset) for c in script_cells("x = 1\\n# %%\\ny = 2\\n")]
    [(1, 0), (2, 1)]
    >>> [c.number for c in script_cells("x = 1\\n")]
    [None]
    """
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("# %%")]
    if not starts:
        return [Cell(None, source)]
    bounds = ([0] if starts[0] > 0 else []) + starts + [len(lines)]
    cells = []
    for number, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True), start=1):
        body = lines[start:end]
        if body and body[0].startswith("# %%"):
            if "[markdown]" in body[0]:
                continue
            # keep the marker line blank so line numbers stay those of the file
            cells.append(Cell(number, "\n".join(["", *body[1:]]), start))
        else:
            cells.append(Cell(number, "\n".join(body), start))
    return cells


def assemble(cells: list[Cell], path: str, *, notebook: bool) -> Module:
    """Parse each cell as IPython would and join the parseable ones into one module.

    Cells that cannot be parsed are skipped with an :class:`UnparsableCellWarning`.
    """
    module = Module(path, notebook)
    chunks: list[str] = []
    for cell in cells:
        python = _as_python(cell, path, notebook)
        if python is None:
            continue
        lines = python.split("\n")
        first_code = next((line for line in lines if line.strip()), "")
        if first_code.lstrip().startswith("#"):
            module.cell_allow.setdefault(cell.number, set()).update(_allowed_rules(first_code))
        base = len(module.where)
        for local, line in enumerate(lines, start=1):
            module.where.append((cell.number, local if notebook else cell.offset + local))
            rules = _allowed_rules(line) if "#" in line else set()
            if rules:
                module.line_allow.setdefault(base + local, set()).update(rules)
                if line.lstrip().startswith("#"):  # a comment line also covers the next line
                    module.line_allow.setdefault(base + local + 1, set()).update(rules)
        chunks.append(python)
    text = "\n".join(chunks)
    if text.strip():
        module.tree = ast.parse(text)
    return module


def _as_python(cell: Cell, path: str, notebook: bool) -> str | None:
    """The cell as Python with its line count kept, or None (not Python, or unparsable)."""
    code = cell.code
    first = code.lstrip("\n").split("\n", 1)[0].strip()
    if first.startswith("%%"):
        name = first[2:].split()[0] if first[2:].split() else ""
        if name not in _PYTHON_CELL_MAGICS:
            return None  # %%bash, %%sql, %%writefile...: not Python
        lines = code.split("\n")
        index = next(i for i, line in enumerate(lines) if line.strip())
        lines[index] = ""
        code = "\n".join(lines)
    try:
        ast.parse(code)
        return code
    except SyntaxError:
        pass
    python = _transform(code)
    try:
        ast.parse(python)
    except SyntaxError as error:
        line = error.lineno or 1
        shown = line if notebook else cell.offset + line
        warnings.warn(
            UnparsableCellWarning(path, cell.number if notebook else None, shown, error.msg),
            stacklevel=4,
        )
        return None
    return python


def _transform(code: str) -> str:
    """IPython's transformation of a cell, padded so each line keeps its number."""
    lines = _transformer().transform_cell(code).split("\n")
    wanted = len(code.split("\n"))
    if lines and lines[-1] == "" and not code.endswith("\n"):
        lines = lines[:-1]
    return "\n".join(lines + [""] * max(wanted - len(lines), 0))


@lru_cache(maxsize=1)
def _transformer():
    """A TransformerManager that keeps leading blank lines and the line count."""
    from IPython.core.inputtransformer2 import TransformerManager, leading_empty_lines

    class LineKeepingTransformer(TransformerManager):
        def __init__(self) -> None:
            super().__init__()
            self.cleanup_transforms = [
                t for t in self.cleanup_transforms if t is not leading_empty_lines
            ]

        def do_one_token_transform(self, lines: list[str]) -> tuple[bool, list[str]]:
            changed, new = super().do_one_token_transform(lines)
            missing = len(lines) - len(new)
            if changed and missing > 0:  # a construct joined from several lines
                first = next(
                    (i for i, (a, b) in enumerate(zip(lines, new, strict=False)) if a != b),
                    len(new) - 1,
                )
                new = new[: first + 1] + ["\n"] * missing + new[first + 1 :]
            return changed, new

    return LineKeepingTransformer()


def _allowed_rules(comment: str) -> set[str]:
    match = _ALLOW.search(comment)
    if not match:
        return set()
    return {rule.upper() for rule in _RULE_ID.findall(match.group(1))}
