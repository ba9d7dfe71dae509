"""Every notebook runs end to end with the smoke parameters (fast, small data).

This is the same engine and kernel as ``make reproduce``, writing to a scratch
directory so the committed reports are never touched. Every file the run writes
must have exactly one writer in the manifest.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlstack.engine.manifest import file_owners, read_manifest, report_files
from mlstack.engine.notebooks import discover_notebooks
from mlstack.engine.runner import reproduce, summary_text
from mlstack.utils.paths import notebooks_dir, repo_root

pytestmark = pytest.mark.slow


def test_every_notebook_runs_with_smoke_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv("MLSTACK_REPORTS_DIR", str(tmp_path / "reports"))
    summary = reproduce(
        params="smoke",
        force=True,
        n_jobs=2,
        reports_dir=tmp_path / "reports",
        build_dir=tmp_path / "build",
    )
    assert summary.ok, summary_text(summary)
    ran = {result.stem for result in summary.results if result.status == "ok"}
    assert ran == {path.stem for path in discover_notebooks(notebooks_dir())}
    reports = tmp_path / "reports"
    for stem in ran:
        assert (reports / f"{stem}.md").stat().st_size > 0
    owners = file_owners(read_manifest(reports), report_files(reports))
    assert {name: who for name, who in owners.items() if len(who) != 1} == {}


def test_kept_outputs_reproduce_with_nbval(tmp_path):
    """nbval re-executes the data tour and compares the outputs kept in the notebook."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-q",
            str(notebooks_dir() / "00_data_tour.ipynb"),
        ],
        capture_output=True,
        text=True,
        cwd=repo_root(),
    )
    assert done.returncode == 0, done.stdout[-2000:]
