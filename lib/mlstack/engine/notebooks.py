"""Read what the repository's notebooks declare about themselves.

Conventions every numbered notebook follows (checked by the tests):

- the file name is ``NN_topic.ipynb`` (two digits, so the tree reads as a table
  of contents);
- the first cell is markdown: an H1 title, one paragraph stating the question,
  and a line ``Answers: V1 V2 ...`` naming the syllabus IDs it answers;
- a notebook that measures time says so in its metadata,
  ``{"mlstack": {"timings": true}}``; its report may differ between runs only
  in the measured figures, which it also writes to ``reports/timings/``;
- the cell tagged ``headline`` prints the notebook's headline result, which the
  reports index shows; it must not print a measured time, even in a timings
  notebook, so that the index stays byte-identical between runs;
- a notebook that measures parallel speed-ups or machine bandwidth also sets
  ``{"mlstack": {"exclusive": true}}``: the engine runs it alone, after the
  others, so that no other notebook competes for the cores it measures;
- a notebook that reads a file the repository generates elsewhere (the
  committed results of a long benchmark) names it in its metadata,
  ``{"mlstack": {"reads": ["reports/timings/frames.json"]}}``, paths relative
  to the repository root: the file becomes one of its inputs, so re-running
  the benchmark makes the notebook stale;
- cells tagged ``keep_output`` keep their output in the committed notebook
  (everything else is stripped) and are verified by nbval.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NOTEBOOK_PATTERN",
    "NotebookInfo",
    "cell_text_output",
    "discover_notebooks",
    "notebook_info",
    "source_hash",
]

#: Glob of the numbered notebooks the engine runs.
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

_ANSWERS = re.compile(r"^\s*\**Answers:?\**:?\s*(.+)$", re.MULTILINE)
_SYLLABUS_ID = re.compile(r"\b(?:AP|[VSCFBATMKOPX])\d+\b")


@dataclass(frozen=True)
class NotebookInfo:
    """What a notebook says about itself in its first cell and metadata."""

    path: Path
    stem: str
    title: str
    question: str
    answers: tuple[str, ...]
    timings: bool
    tags: dict[str, list[int]] = field(default_factory=dict)
    exclusive: bool = False
    reads: tuple[str, ...] = ()


def discover_notebooks(directory: Path) -> list[Path]:
    """Return the numbered notebooks in ``directory``, sorted by name."""
    return sorted(directory.glob(NOTEBOOK_PATTERN))


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def syllabus_ids(text: str) -> list[str]:
    """Return the syllabus IDs (``V1``, ``AP3``...) mentioned in ``text``, in order."""
    return _SYLLABUS_ID.findall(text)


def notebook_info(path: Path) -> NotebookInfo:
    """Parse a notebook's title, question, answered IDs, timing flag and tags.

    Parameters
    ----------
    path : pathlib.Path
        A ``.ipynb`` file.

    Returns
    -------
    NotebookInfo
    """
    nb = _read(path)
    cells = nb.get("cells", [])
    first = _source(cells[0]) if cells and cells[0].get("cell_type") == "markdown" else ""
    lines = first.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), path.stem)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", first) if p.strip()]
    question = next(
        (
            " ".join(p.split())
            for p in paragraphs
            if not p.startswith("#") and not _ANSWERS.match(p)
        ),
        "",
    )
    match = _ANSWERS.search(first)
    answers = tuple(syllabus_ids(match.group(1))) if match else ()
    tags: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        for tag in _tags(cell):
            tags.setdefault(tag, []).append(index)
    flags = nb.get("metadata", {}).get("mlstack", {})
    return NotebookInfo(
        path,
        path.stem,
        title,
        question,
        answers,
        bool(flags.get("timings", False)),
        tags,
        bool(flags.get("exclusive", False)),
        tuple(sorted(flags.get("reads", []))),
    )


def source_hash(path: Path) -> str:
    """Hash what a notebook's result depends on: its cells' sources, types and tags.

    Outputs, execution counts and other metadata do not count, so stripping a
    notebook or refreshing its kept outputs does not make it stale.
    """
    nb = _read(path)
    digest = hashlib.sha256()
    for cell in nb.get("cells", []):
        record = [cell.get("cell_type"), _source(cell), sorted(_tags(cell))]
        digest.update(json.dumps(record).encode())
    digest.update(json.dumps(nb.get("metadata", {}).get("mlstack", {}), sort_keys=True).encode())
    return digest.hexdigest()


def cell_text_output(cell: dict[str, Any]) -> str:
    """Return the plain text a code cell displayed (stdout and ``text/plain`` results)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(_source({"source": output.get("text", "")}))
        elif output.get("output_type") in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/markdown" in data:
                parts.append(_source({"source": data["text/markdown"]}))
            elif "text/plain" in data:
                parts.append(_source({"source": data["text/plain"]}))
    return "".join(parts).strip()
