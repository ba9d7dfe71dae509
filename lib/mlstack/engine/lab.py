"""JupyterLab's post-save hook: a notebook saved after running shows no change in ``git status``.

The clean filter (``mlstack hygiene --filter``) makes git see a notebook as
``make strip`` would leave it, so ``git diff`` is empty and ``git add`` stages
nothing when only outputs changed. ``git status`` alone can still list the
notebook: git trusts a change in file size before it runs any filter. The
hook closes that gap for notebooks saved in ``make lab``: after each save, if
the stripped notebook is exactly what the index holds, it tells git so
(``git update-index --cacheinfo`` with the same blob), and the next
``git status`` re-checks the file through the filter and finds it clean. A
notebook whose cells really changed is left alone, so it shows as modified.

``make lab`` installs it through ``.jupyter/jupyter_server_config.json``
(``ContentsManager.post_save_hook``).
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["refresh_git_index", "unchanged_in_index"]

FILTER = "mlstack-notebook"
_log = logging.getLogger(__name__)


def _git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def unchanged_in_index(path: Path) -> tuple[str, str] | None:
    """Return ``(mode, blob)`` when ``path`` stripped is what git's index holds, else None.

    Only notebooks under the clean filter count; an untracked file or one
    outside a git checkout gives None.
    """
    from mlstack.engine.hygiene import clean_notebook_text

    folder = path.parent
    root = Path(_git(folder, "rev-parse", "--show-toplevel"))
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    if not _git(root, "check-attr", "filter", "--", relative).endswith(f": {FILTER}"):
        return None
    staged = _git(root, "ls-files", "--stage", "--", relative).split()
    if not staged:
        return None
    mode, blob = staged[0], staged[1]
    cleaned = clean_notebook_text(path.read_text(encoding="utf-8"))
    ours = _git(root, "hash-object", "--no-filters", "--stdin", stdin=cleaned)
    return (mode, blob) if ours == blob else None


def refresh_git_index(model: dict[str, Any], os_path: str, **kwargs: Any) -> None:
    """Post-save hook: mark a saved notebook unchanged in git's index when only outputs changed.

    Parameters
    ----------
    model : dict
        The saved file's model (JupyterLab's contents API); only notebooks count.
    os_path : str
        The saved file.
    **kwargs
        The contents manager; unused.

    Notes
    -----
    Never raises: a save must not fail because git is missing or busy.
    """
    if model.get("type") != "notebook":
        return
    path = Path(os_path)
    try:
        found = unchanged_in_index(path)
        if found is None:
            return
        mode, blob = found
        root = Path(_git(path.parent, "rev-parse", "--show-toplevel"))
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        _git(root, "update-index", "--cacheinfo", f"{mode},{blob},{relative}")
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        _log.warning("mlstack: could not refresh git's index for %s: %s", os_path, exc)
