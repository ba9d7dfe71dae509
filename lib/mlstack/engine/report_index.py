"""Generate ``reports/README.md``, the index a reader who never opens Jupyter starts from.

The index is derived, never edited by hand: the notebooks' own first cells
give each title and question, ``reports/manifest.json`` gives each headline
result, and every other markdown file under ``reports/`` (model cards,
reflections, benchmark tables) is listed by its H1 title. The reproduce engine
rewrites it on every run, and a test fails when it disagrees with the notebooks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlstack.engine.manifest import report_files
from mlstack.engine.notebooks import discover_notebooks, notebook_info
from mlstack.utils import paths
from mlstack.utils.atomic import write_text

__all__ = ["render_index", "write_index"]

_HEADER = """# Reports

Every file here is generated: the notebook reports by `make reproduce` (papermill executes
`notebooks/NN_*.ipynb`, nbconvert exports them to markdown), the rest by the commands named
in them. Numbers in a report come from the run that wrote it. Reports marked *timings*
measure time on the machine that ran them: their figures vary from run to run and are also
kept as raw data in [`timings/`](timings/). Everything else is byte-identical between runs.

Regenerate this index and any stale report with `make reproduce`.
"""


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def _first_question(text: str) -> str:
    """Return the paragraph's first question (or first sentence) for the index."""
    for end in ("?", ". "):
        position = text.find(end)
        if position != -1:
            return text[: position + 1].strip()
    return text.strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _runbooks_line() -> str:
    """The runbooks, by their titles, in file order (``runbooks/*.md``)."""
    folder = paths.repo_root() / "runbooks"
    titles = [_title(path).removeprefix("Runbook: ") for path in sorted(folder.glob("*.md"))]
    titles = [title[:1].lower() + title[1:] for title in titles]
    return f"- [Runbooks](../runbooks/): {'; '.join(titles)}."


def render_index(
    reports_dir: Path, manifest: dict[str, Any], notebooks_dir: Path | None = None
) -> str:
    """Return the markdown of the reports index.

    Parameters
    ----------
    reports_dir : pathlib.Path
        Directory holding the reports.
    manifest : dict
        Parsed ``manifest.json`` of that directory.
    notebooks_dir : pathlib.Path, optional
        Where the numbered notebooks are; ``notebooks/`` by default.
    """
    notebooks_dir = notebooks_dir or paths.notebooks_dir()
    entries = manifest.get("notebooks", {})
    lines = [_HEADER, "## Notebook reports", ""]
    lines += ["| Report | Question | Answers | Headline result |", "|---|---|---|---|"]
    listed = set()
    for path in discover_notebooks(notebooks_dir):
        info = notebook_info(path)
        report = reports_dir / f"{info.stem}.md"
        listed.add(report.name)
        link = f"[{info.stem}]({report.name})" if report.exists() else f"{info.stem} (not run yet)"
        headline = entries.get(info.stem, {}).get("headline", "")
        if info.timings:
            headline = f"*timings* ([raw figures](timings/)). {headline}"
        lines.append(
            f"| {link} | **{_cell(info.title)}**. {_cell(_first_question(info.question))} | "
            f"{' '.join(info.answers)} | {_cell(headline)} |"
        )
    others = sorted(
        (
            relative
            for relative in report_files(reports_dir, "*.md")
            if relative not in listed
            and relative != "README.md"
            and "_files" not in Path(relative).parent.name
        ),
        key=lambda relative: Path(relative).parts,
    )
    if others:
        lines += ["", "## Other reports", ""]
        for rel in others:
            lines.append(f"- [{_cell(_title(reports_dir / rel))}]({rel})")
    lines += [
        "",
        "## Elsewhere",
        "",
        _runbooks_line(),
        "- [Pattern outlines](../docs/patterns/) and the [weekly log](../docs/weekly-log.md).",
        "",
    ]
    return "\n".join(lines)


def write_index(
    reports_dir: Path, manifest: dict[str, Any], notebooks_dir: Path | None = None
) -> Path:
    """Write the index to ``reports_dir/README.md`` atomically and return its path."""
    return write_text(
        reports_dir / "README.md", render_index(reports_dir, manifest, notebooks_dir)
    )
