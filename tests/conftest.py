"""Shared fixtures: every test gets its own scratch data, reports and build directories.

Tests marked ``lab`` drive JupyterLab in a headless browser; they run only when
asked for (``make test-lab``, i.e. ``pytest -m lab``), never in ``make test``.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ``lab`` tests unless the marker expression names them."""
    if "lab" in (config.getoption("markexpr") or ""):
        return
    lab = [item for item in items if item.get_closest_marker("lab")]
    if lab:
        config.hook.pytest_deselected(items=lab)
        items[:] = [item for item in items if not item.get_closest_marker("lab")]


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
