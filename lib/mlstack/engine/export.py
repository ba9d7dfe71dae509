"""Turn an executed notebook into its markdown report, and check the report is reproducible."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from mlstack.engine.notebooks import cell_text_output

__all__ = ["ANSI", "export_markdown", "headline", "reproducibility_problems", "write_report"]

ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}\b|\bobject at 0x[0-9a-fA-F]+")

# Prefer markdown and images; raw HTML (with inline styles) only as a last resort.
_DISPLAY_PRIORITY = [
    "text/markdown",
    "image/png",
    "image/svg+xml",
    "text/latex",
    "text/plain",
    "text/html",
]


def export_markdown(executed_path: Path, stem: str) -> tuple[str, dict[str, bytes]]:
    """Export an executed notebook to markdown.

    Cells tagged ``remove_cell``, ``remove_input`` or ``remove_output`` lose
    that part; figures are named ``<stem>_files/<name>.png`` in the text.

    Returns
    -------
    markdown : str
        The report's text, without terminal colour codes.
    figures : dict of str to bytes
        Each figure's file name and content.
    """
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
    config.NbConvertBase.display_data_priority = _DISPLAY_PRIORITY
    exporter = MarkdownExporter(config=config)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    nb = nbformat.read(executed_path, as_version=4)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": f"{stem}_files", "unique_key": stem}
    )
    body = ANSI.sub("", body).rstrip() + "\n"
    return body, dict(resources.get("outputs", {}))


def write_report(directory: Path, stem: str, markdown: str, figures: dict[str, bytes]) -> None:
    """Write ``<stem>.md`` and its figures under ``<stem>_files/`` in ``directory``."""
    for name, data in sorted(figures.items()):
        figure = directory / f"{stem}_files" / Path(name).name
        figure.parent.mkdir(parents=True, exist_ok=True)
        figure.write_bytes(data)
    (directory / f"{stem}.md").write_text(markdown, encoding="utf-8")


def reproducibility_problems(markdown: str, root: str) -> list[str]:
    """Return the lines of a report that would differ between machines or runs.

    A memory address (``<object at 0x7f...>``) changes on every run; a local
    path (the repository's location, the temporary directory) changes between
    machines.

    Examples
    --------
    >>> reproducibility_problems("ok\\n<Foo object at 0x7f3a2b1c>", "/repo")
    ['line 2 shows a memory address: <Foo object at 0x7f3a2b1c>']
    >>> reproducibility_problems("saved to /repo/reports/x.md", "/repo")
    ['line 1 shows a local path: saved to /repo/reports/x.md']
    """
    problems = []
    for lineno, line in enumerate(markdown.splitlines(), start=1):
        if _ADDRESS.search(line):
            problems.append(f"line {lineno} shows a memory address: {line.strip()[:80]}")
        elif root in line or tempfile.gettempdir() + os.sep in line:
            problems.append(f"line {lineno} shows a local path: {line.strip()[:80]}")
    return problems


def headline(executed: dict[str, Any]) -> str:
    """Return what the cell tagged ``headline`` printed, on one line."""
    for cell in executed["cells"]:
        if "headline" in cell.get("metadata", {}).get("tags", []):
            return " ".join(cell_text_output(cell).split())
    return ""
