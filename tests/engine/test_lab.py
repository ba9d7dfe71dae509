"""A notebook saved in the lab after running shows no change in git; a real edit does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlstack.engine.lab import refresh_git_index, unchanged_in_index
from mlstack.utils.paths import notebooks_dir, repo_root

pytestmark = pytest.mark.slow

SOURCE = sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))[0]


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def _saved_after_running(text: str) -> str:
    """The notebook as JupyterLab saves it after a run (kept outputs reproduce unchanged)."""
    nb = json.loads(text)
    for index, cell in enumerate(nb["cells"]):
        cell["id"] = f"3f2a{index:04d}-lab"
        if cell["cell_type"] == "code":
            cell["execution_count"] = index + 7
            if "keep_output" not in cell["metadata"].get("tags", []):
                cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["x\n"]}]
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (mlstack)"
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}
    return json.dumps(nb, indent=1)


@pytest.fixture
def checkout(tmp_path):
    """A scratch repository with one committed notebook and the filter `make setup` installs."""
    command = subprocess.run(
        ["git", "config", "--get", "filter.mlstack-notebook.clean"],
        cwd=repo_root(),
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert command, "the notebook clean filter is not installed: run `make setup`"
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "filter.mlstack-notebook.clean", command)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # the filter runs the checkout's .venv
    (tmp_path / ".gitignore").write_text(".venv\n")
    shutil.copy(repo_root() / ".gitattributes", tmp_path / ".gitattributes")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(SOURCE, tmp_path / "notebooks" / SOURCE.name)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "stripped")
    return tmp_path


def test_a_notebook_saved_after_running_shows_no_change_in_git_status(checkout):
    notebook = checkout / "notebooks" / SOURCE.name
    notebook.write_text(_saved_after_running(SOURCE.read_text(encoding="utf-8")))
    assert _git(checkout, "diff").stdout == ""  # the filter alone: nothing to commit
    refresh_git_index({"type": "notebook"}, str(notebook))  # what JupyterLab runs on save
    assert _git(checkout, "status", "--porcelain").stdout == ""
    assert "outputs" in notebook.read_text()  # the learner keeps the outputs on disk


def test_a_real_edit_shows_and_is_committed_without_outputs(checkout):
    notebook = checkout / "notebooks" / SOURCE.name
    edited = json.loads(_saved_after_running(SOURCE.read_text(encoding="utf-8")))
    edited["cells"][-1]["source"] = "an edit the learner made"
    notebook.write_text(json.dumps(edited, indent=1))
    assert unchanged_in_index(notebook) is None
    refresh_git_index({"type": "notebook"}, str(notebook))
    assert _git(checkout, "status", "--porcelain").stdout == f" M notebooks/{SOURCE.name}\n"
    _git(checkout, "add", "notebooks")
    committed = json.loads(_git(checkout, "show", f":notebooks/{SOURCE.name}").stdout)
    code = [c for c in committed["cells"] if c["cell_type"] == "code"]
    kept = [c for c in code if "keep_output" in c["metadata"].get("tags", [])]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code if c not in kept)
    assert committed["cells"][-1]["source"] == ["an edit the learner made"]


def test_a_clone_checks_the_notebooks_out_as_committed(checkout, tmp_path_factory):
    clone = tmp_path_factory.mktemp("clone") / "repo"
    _git(checkout, "clone", "-q", str(checkout), str(clone))
    _git(clone, "config", "filter.mlstack-notebook.clean", ".venv/bin/mlstack hygiene --filter")
    assert (clone / "notebooks" / SOURCE.name).read_bytes() == SOURCE.read_bytes()
    (clone / "notebooks" / SOURCE.name).unlink()
    _git(clone, "checkout", "--", "notebooks")  # no .venv in the clone: still fine
    assert (clone / "notebooks" / SOURCE.name).read_bytes() == SOURCE.read_bytes()


def test_the_hook_ignores_files_git_does_not_filter(checkout):
    other = checkout / "notes.ipynb"
    other.write_text(SOURCE.read_text(encoding="utf-8"))
    assert unchanged_in_index(other) is None
    refresh_git_index({"type": "file"}, str(other))
    refresh_git_index({"type": "notebook"}, str(checkout / "missing" / "x.ipynb"))  # no raise
