"""Shared fixtures: every test gets its own scratch data, reports and build directories."""

from __future__ import annotations

import pytest


@pytest.fixture
def scratch_dirs(tmp_path, monkeypatch):
    """Point the data cache, reports and build directories at a temporary tree."""
    dirs = {name: tmp_path / name for name in ("data", "reports", "build")}
    for path in dirs.values():
        path.mkdir()
    monkeypatch.setenv("MLSTACK_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("MLSTACK_REPORTS_DIR", str(dirs["reports"]))
    monkeypatch.setenv("MLSTACK_BUILD_DIR", str(dirs["build"]))
    return dirs
