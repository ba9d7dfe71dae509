"""Where the repository keeps things.

The package is installed in editable mode from ``lib/``, so the repository root
is three levels above this file. Each location can be moved with an environment
variable, which is how the reproduce engine and the tests keep their files away
from the committed ``reports/``.

Only the reproduce engine and the documented commands write ``reports/``. A
notebook run by hand in JupyterLab (or any IPython session) gets
``build/interactive/reports/`` instead, so exploring a notebook never
overwrites a committed report or its raw timings; the engine points
``MLSTACK_REPORTS_DIR`` at the notebook's staging area, which always wins.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = [
    "build_dir",
    "data_dir",
    "interactive_session",
    "notebooks_dir",
    "repo_root",
    "reports_dir",
    "timings_dir",
]


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


def interactive_session() -> bool:
    """Return whether this code runs in an IPython session: a Jupyter kernel or the shell.

    The reproduce engine's kernels are IPython too, but they always carry
    ``MLSTACK_REPORTS_DIR``, which :func:`reports_dir` consults first.
    """
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def reports_dir() -> Path:
    """Return where generated reports go.

    In order: ``MLSTACK_REPORTS_DIR`` when set (the reproduce engine sets it to
    each notebook's staging area; tests set it to a scratch directory);
    ``build/interactive/reports`` in an interactive session (a notebook run by
    hand in JupyterLab must not overwrite the committed reports); otherwise
    ``reports/`` (the documented commands: ``mlstack bench``, ``exit-test``...).

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"MLSTACK_REPORTS_DIR": "/tmp/scratch-reports"}):
    ...     print(reports_dir().as_posix())
    /tmp/scratch-reports
    """
    if "MLSTACK_REPORTS_DIR" in os.environ:
        return Path(os.environ["MLSTACK_REPORTS_DIR"])
    if interactive_session():
        return build_dir() / "interactive" / "reports"
    return repo_root() / "reports"


def timings_dir() -> Path:
    """Return the ``timings/`` directory of :func:`reports_dir`, where measured times live."""
    return reports_dir() / "timings"
