"""Keep committed notebooks tidy: stripped outputs, one kernel name, no editor metadata.

``make strip`` runs ``nbstripout`` (which keeps the outputs of cells tagged
``keep_output`` and clears every execution count) and then this module, which

- gives each kept cell that has outputs the execution count 1, because nbval
  only compares the outputs of cells that look executed;
- sets the notebook-level metadata every notebook should carry, so that
  JupyterLab opens it on the project kernel without asking;
- drops editor-specific keys that only make diffs noisy.

Run it as ``mlstack hygiene [--check] NOTEBOOK...`` (:func:`tidy`); with ``--check``
it changes nothing and exits 1 when a notebook needs ``make strip``.

``mlstack hygiene --filter`` is the git clean filter ``make setup`` installs for
``notebooks/*.ipynb`` (:func:`clean_filter`): it reads a notebook on standard
input and writes what ``make strip`` would make of it, so a notebook saved
after running in JupyterLab shows no change in ``git status`` and its outputs
never reach a commit. Git runs it on every ``git status`` of a changed
notebook, so this module imports nothing heavy at import time.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import IO, Any

__all__ = ["clean_filter", "clean_notebook_text", "normalize", "problems", "tidy"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
KEPT_COUNT = 1
_DROP = ("jupytext", "widgets", "toc", "varInspector")

#: The keys ``nbstripout`` removes by default besides outputs and counts (its
#: command line's list, which ``make strip`` uses); the clean filter passes the
#: same, and a test checks that both give the same bytes.
NBSTRIPOUT_EXTRA_KEYS = (
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
)


def _is_kept(cell: dict[str, Any]) -> bool:
    return "keep_output" in cell.get("metadata", {}).get("tags", [])


def _normalized(nb: dict[str, Any]) -> dict[str, Any]:
    meta = nb.setdefault("metadata", {})
    for key in _DROP:
        meta.pop(key, None)
    meta["kernelspec"] = KERNELSPEC
    meta["language_info"] = LANGUAGE_INFO
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        count = KEPT_COUNT if _is_kept(cell) and cell.get("outputs") else None
        cell["execution_count"] = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
    return nb


def _dumps(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def clean_notebook_text(text: str) -> str:
    """Return what ``make strip`` (nbstripout, then :func:`normalize`) makes of a notebook.

    Outputs and execution counts go, except the outputs of cells tagged
    ``keep_output``; cell ids become positions; metadata is normalized.

    Parameters
    ----------
    text : str
        The notebook's JSON.

    Returns
    -------
    str
        The stripped notebook, byte for byte what ``make strip`` would write.

    Examples
    --------
    >>> import json
    >>> cell = {"cell_type": "code", "id": "a1", "metadata": {}, "source": "1 + 1",
    ...         "execution_count": 3, "outputs": [{"output_type": "execute_result",
    ...         "data": {"text/plain": "2"}, "metadata": {}, "execution_count": 3}]}
    >>> nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> stripped = json.loads(clean_notebook_text(json.dumps(nb)))["cells"][0]
    >>> stripped["outputs"], stripped["execution_count"], stripped["id"]
    ([], None, '0')
    """
    import nbformat
    from nbstripout import strip_output

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        strip_output(
            nb,
            keep_output=None,
            keep_count=False,
            keep_id=False,
            extra_keys=list(NBSTRIPOUT_EXTRA_KEYS),
        )
        stripped = nbformat.writes(nb)
    return _dumps(_normalized(json.loads(stripped)))


def clean_filter(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """Read a notebook from ``stdin`` and write it stripped to ``stdout`` (a git clean filter).

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    InputError
        If the input is not a notebook; git then keeps the file as it is and
        says so.
    """
    from mlstack.errors import InputError

    text = stdin.read().decode("utf-8")
    try:
        cleaned = clean_notebook_text(text)
    except ValueError as exc:  # nbformat's NotJSONError is a ValueError
        raise InputError(f"standard input is not a notebook ({exc}); left as it is") from exc
    stdout.write(cleaned.encode("utf-8"))
    stdout.flush()
    return 0


def normalize(path: Path) -> bool:
    """Normalize ``path`` in place; return True when the file changed."""
    from mlstack.utils.atomic import write_text

    text = path.read_text(encoding="utf-8")
    new = _dumps(_normalized(json.loads(text)))
    if new == text:
        return False
    write_text(path, new)
    return True


def problems(path: Path) -> list[str]:
    """Return what ``make strip`` would fix in ``path`` (empty when tidy)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = [
        f"{path}: cell {index} has outputs but is not tagged keep_output"
        for index, cell in enumerate(nb.get("cells", []), start=1)
        if cell.get("cell_type") == "code" and cell.get("outputs") and not _is_kept(cell)
    ]
    if not found and _dumps(_normalized(json.loads(json.dumps(nb)))) != _dumps(nb):
        found.append(f"{path}: metadata or execution counts are not normalized")
    return found


def tidy(paths: list[Path], *, check: bool = False, log=print) -> int:
    """Normalize each notebook in ``paths``, or with ``check=True`` only report.

    Parameters
    ----------
    paths : list of pathlib.Path
        The notebooks.
    check : bool, default=False
        Change nothing; report what ``make strip`` would fix.
    log : callable, default=print
        Receives one line per notebook changed or problem found.

    Returns
    -------
    int
        The exit status: 1 when ``check`` found a problem, else 0.
    """
    if check:
        found = [line for path in paths for line in problems(path)]
        for line in found:
            log(f"error: {line}; run `make strip`")
        return 1 if found else 0
    for path in paths:
        if normalize(path):
            log(f"normalized {path}")
    return 0
