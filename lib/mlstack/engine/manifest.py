"""``reports/manifest.json``: what each report was made from, and who wrote each file.

For every notebook the manifest records the hashes of its inputs (so a fresh
clone knows which reports are current), the detail of the modules and locked
packages behind the ``lib`` and ``lock`` hashes (so a dry run can name what
changed), its headline, whether it is a *timings* notebook, and ``outputs``:
every file the run wrote under ``reports/`` (report, figures, reflections,
model cards, saved models, raw timings). Together with :data:`COMMAND_OUTPUTS`,
the files the documented commands write, it says who owns every file under
``reports/`` (:func:`file_owners`), and so which committed files come from a
timings run and may differ between runs.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlstack.utils.atomic import write_json

__all__ = [
    "COMMAND_OUTPUTS",
    "INDEX",
    "MANIFEST",
    "SHARED_COMMANDS",
    "command_owners",
    "file_owners",
    "read_manifest",
    "record_notebook",
    "record_run_times",
    "report_files",
]

MANIFEST = "manifest.json"
INDEX = "README.md"

#: Files under ``reports/`` written by a command rather than by a notebook, as
#: glob patterns relative to ``reports/`` (``*`` crosses directories).
COMMAND_OUTPUTS: dict[str, tuple[str, ...]] = {
    "mlstack reproduce": (INDEX, MANIFEST, "timings/reproduce-*.json"),
    "mlstack bench frames": ("frames_bench.md", "frames_bench_files/*", "timings/frames.json"),
    "mlstack bench csv": ("csv_bench.md", "csv_bench_files/*", "timings/csv_bench.json"),
    "mlstack bench exit-test-quality": ("exit-test/quality.md",),
    "mlstack leakage-bench": ("timings/leakage_bench.json",),
    "mlstack leakage-vs-deepchecks": (
        "leakage_vs_deepchecks.md",
        "timings/leakage_vs_deepchecks.json",
    ),
    "mlstack exit-test": ("exit-test/*/*",),
}

#: Commands a notebook may run itself on its own data, so the files it writes
#: through them are the notebook's (notebook 14 runs ``exit-test`` on a table).
#: Every other command's files are reserved: a notebook that writes one fails.
SHARED_COMMANDS = ("mlstack exit-test",)


def read_manifest(reports_dir: Path) -> dict[str, Any]:
    """Return the parsed manifest of ``reports_dir`` (empty when missing or unreadable)."""
    try:
        return json.loads((reports_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_notebook(reports_dir: Path, stem: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Write ``entry`` as notebook ``stem``'s record in the manifest; return the manifest.

    Called right after the notebook's files are published, so the manifest and
    the files on disk agree even if the run is stopped a moment later.
    """
    manifest = read_manifest(reports_dir)
    entries = manifest.setdefault("notebooks", {})
    entries[stem] = entry
    manifest["notebooks"] = dict(sorted(entries.items()))
    write_json(reports_dir / MANIFEST, manifest)
    return manifest


def record_run_times(reports_dir: Path, params: str, seconds: dict[str, float]) -> None:
    """Add each notebook's run time to ``timings/reproduce-<params>.json``.

    Each notebook ran once, so its record is one repeat (``repeat`` 1 and its
    ``times``), the shape of every raw timing record. An entry of the older
    shape (``{"seconds": s}``) is rewritten in this one, keeping its value.
    """
    if not seconds:
        return
    path = reports_dir / "timings" / f"reproduce-{params}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    record = {
        stem: {"repeat": 1, "times": [entry["seconds"]]} if "seconds" in entry else entry
        for stem, entry in record.items()
    }
    for stem, value in seconds.items():
        record[stem] = {"repeat": 1, "times": [round(value, 2)]}
    write_json(path, dict(sorted(record.items())))


def report_files(reports_dir: Path, pattern: str = "*") -> list[str]:
    """Return the files under ``reports_dir`` matching ``pattern``, as sorted posix paths.

    Hidden files and directories are left out: JupyterLab's
    ``.ipynb_checkpoints/`` (created when a report is opened in the lab) and
    the temporary files of an atomic write are nobody's output.
    """
    found = []
    for path in reports_dir.rglob(pattern):
        relative = path.relative_to(reports_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(relative.as_posix())
    return sorted(found)


def command_owners(relative: str) -> list[str]:
    """Return the commands whose documented outputs include ``relative`` (a posix path).

    Examples
    --------
    >>> command_owners("timings/frames.json")
    ['mlstack bench frames']
    >>> command_owners("exit-test/aer_creditcard/model_card.md")
    ['mlstack exit-test']
    >>> command_owners("01_vectorization.md")
    []
    """
    return [
        command
        for command, patterns in COMMAND_OUTPUTS.items()
        if any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)
    ]


def reserved_by_command(relative: str) -> list[str]:
    """Return the commands that own ``relative`` exclusively (no notebook may write it)."""
    return [command for command in command_owners(relative) if command not in SHARED_COMMANDS]


def file_owners(manifest: dict[str, Any], files: Iterable[str]) -> dict[str, list[str]]:
    """Return who wrote each file: the notebooks that list it, else the commands that do.

    Parameters
    ----------
    manifest : dict
        A parsed manifest.
    files : iterable of str
        Paths relative to the reports directory, posix style.

    Returns
    -------
    dict of str to list of str
        For each file, the notebooks whose ``outputs`` list it (``notebook
        01_vectorization``); when none does, the commands whose documented
        outputs match it. A file is accounted for when its list has exactly
        one owner.

    Examples
    --------
    >>> manifest = {"notebooks": {"01_x": {"outputs": ["01_x.md", "timings/01_x.json"]}}}
    >>> file_owners(manifest, ["01_x.md", "timings/frames.json", "stray.md"])
    {'01_x.md': ['notebook 01_x'], 'timings/frames.json': ['mlstack bench frames'], 'stray.md': []}
    """
    by_notebook: dict[str, list[str]] = {}
    for stem, entry in manifest.get("notebooks", {}).items():
        for relative in entry.get("outputs", []):
            by_notebook.setdefault(relative, []).append(f"notebook {stem}")
    return {relative: by_notebook.get(relative) or command_owners(relative) for relative in files}
