"""Where the repository keeps things.

The package is installed in editable mode from ``lib/``, so the repository root
is three levels above this file. Each location can be moved with an environment
variable, which is how tests and smoke runs keep their files away from the
committed ``reports/``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["build_dir", "data_dir", "notebooks_dir", "reports_dir", "repo_root", "timings_dir"]


def repo_root() -> Path:
    """Return the repository root (``MLSTACK_ROOT`` overrides it)."""
    if "MLSTACK_ROOT" in os.environ:
        return Path(os.environ["MLSTACK_ROOT"]).resolve()
    return Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """Return the git-ignored data cache directory (``MLSTACK_DATA_DIR`` overrides it)."""
    return Path(os.environ.get("MLSTACK_DATA_DIR", repo_root() / "data"))


def build_dir() -> Path:
    """Return the git-ignored build directory for executed notebooks and state."""
    return Path(os.environ.get("MLSTACK_BUILD_DIR", repo_root() / "build"))


def notebooks_dir() -> Path:
    """Return the directory of the numbered source notebooks."""
    return repo_root() / "notebooks"


def reports_dir() -> Path:
    """Return the reports directory (``MLSTACK_REPORTS_DIR`` overrides it).

    The reproduce engine points this at a scratch directory for smoke runs, so
    a notebook that writes a file "to the reports" never touches the committed
    ones during tests.
    """
    return Path(os.environ.get("MLSTACK_REPORTS_DIR", repo_root() / "reports"))


def timings_dir() -> Path:
    """Return ``reports/timings``, where measured times live apart from the reports."""
    return reports_dir() / "timings"
