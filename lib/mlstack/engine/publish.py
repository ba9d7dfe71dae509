"""Move a notebook's staged files into ``reports/`` and record them.

A notebook that succeeded has everything it wrote in its staging area
(``build/staging/<params>/<stem>/``). Publishing checks that it wrote nothing
that belongs to another notebook or to a command, moves each file into place
with an atomic rename, removes the files its previous run wrote and this one
did not (a renamed figure), and records the new list in the manifest. The
runner holds SIGINT and SIGTERM for the duration, so a publish is never cut
in half; a notebook that failed or was stopped is never published, and its
previous files stay as they were.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from mlstack.engine.hygiene import normalize
from mlstack.engine.manifest import read_manifest, record_notebook, reserved_by_command
from mlstack.engine.planning import NotebookResult
from mlstack.utils.atomic import atomic_path, write_text

__all__ = [
    "manifest_entry",
    "output_conflicts",
    "previous_outputs",
    "publish",
    "publish_result",
    "sync_kept_outputs",
]


def output_conflicts(stem: str, outputs: list[str], manifest: dict[str, Any]) -> list[str]:
    """Return why some of ``outputs`` may not be published for notebook ``stem``.

    A file belongs to one notebook, or to one command (:data:`COMMAND_OUTPUTS`):
    a notebook must not overwrite another notebook's file or a benchmark's.

    Examples
    --------
    >>> manifest = {"notebooks": {"01_x": {"outputs": ["model_card.md"]}}}
    >>> output_conflicts("02_y", ["02_y.md", "model_card.md", "timings/frames.json"], manifest)
    ['model_card.md is written by notebook 01_x', 'timings/frames.json is written by mlstack bench frames']
    """
    owners: dict[str, str] = {}
    for other, entry in manifest.get("notebooks", {}).items():
        if other != stem:
            owners.update(dict.fromkeys(entry.get("outputs", []), f"notebook {other}"))
    found = []
    for relative in outputs:
        claimed = [owners[relative]] if relative in owners else reserved_by_command(relative)
        if claimed:
            found.append(f"{relative} is written by {' and '.join(claimed)}")
    return found


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:  # another file system: copy beside the target, then rename
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)


def _prune_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def publish(staging: Path, reports_dir: Path, outputs: list[str], previous: list[str]) -> None:
    """Move ``outputs`` from ``staging`` into ``reports_dir``; delete what only ``previous`` had.

    Parameters
    ----------
    staging : pathlib.Path
        The notebook's staging area.
    reports_dir : pathlib.Path
        Where reports live.
    outputs : list of str
        The staged files, relative to ``staging``.
    previous : list of str
        The files the notebook's previous run wrote, relative to ``reports_dir``.
    """
    for relative in outputs:
        _move(staging / relative, reports_dir / relative)
    for relative in sorted(set(previous) - set(outputs)):
        stale = reports_dir / relative
        stale.unlink(missing_ok=True)
        _prune_empty_parents(stale, reports_dir)


def previous_outputs(entry: dict[str, Any], stem: str, reports_dir: Path) -> list[str]:
    """Return the files a notebook's previous run wrote.

    Manifests written before the engine recorded ``outputs`` only imply the
    report and its figure directory.
    """
    if "outputs" in entry:
        return list(entry["outputs"])
    figures = reports_dir / f"{stem}_files"
    found = [f"{stem}.md"]
    if figures.is_dir():
        found += [p.relative_to(reports_dir).as_posix() for p in figures.rglob("*") if p.is_file()]
    return found


def manifest_entry(result: NotebookResult, params: str) -> dict[str, Any]:
    """Return the manifest record of a notebook that ran."""
    inputs = result.inputs
    return {
        "input_hash": result.input_hash,
        "inputs": inputs.hashes if inputs else {},
        "modules": inputs.modules if inputs else {},
        "packages": inputs.packages if inputs else {},
        "reads": inputs.reads if inputs else {},
        "params": params,
        "headline": result.headline,
        "timings": result.timings,
        "outputs": result.outputs,
    }


def publish_result(result: NotebookResult, reports_dir: Path, params: str) -> NotebookResult:
    """Publish one successful notebook and record it; return the result, failed on a conflict."""
    manifest = read_manifest(reports_dir)
    entry = manifest.get("notebooks", {}).get(result.stem, {})
    conflicts = output_conflicts(result.stem, result.outputs, manifest)
    if conflicts:
        result.status = "failed"
        result.error = f"writes a file it does not own: {conflicts[0]}"
        return result
    previous = previous_outputs(entry, result.stem, reports_dir)
    publish(Path(result.staging_dir), reports_dir, result.outputs, previous)
    record_notebook(reports_dir, result.stem, manifest_entry(result, params))
    return result


def sync_kept_outputs(source_path: Path, executed_path: Path) -> bool:
    """Copy the outputs of ``keep_output`` cells from the executed copy into the source.

    Returns
    -------
    bool
        Whether the source notebook changed.
    """
    import nbformat

    source = nbformat.read(source_path, as_version=4)
    executed = nbformat.read(executed_path, as_version=4)
    by_id = {cell.get("id"): cell for cell in executed.cells}
    changed = False
    for cell in source.cells:
        if cell.cell_type != "code" or "keep_output" not in cell.metadata.get("tags", []):
            continue
        done = by_id.get(cell.get("id"))
        if done is not None and done.outputs != cell.outputs:
            cell.outputs = done.outputs
            changed = True
    if changed:
        write_text(source_path, nbformat.writes(source) + "\n")
        normalize(source_path)  # kept cells get the execution count nbval needs
    return changed
