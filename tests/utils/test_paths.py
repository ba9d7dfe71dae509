"""Only the engine and the documented commands write reports/; interactive runs go to build/."""

from __future__ import annotations

import textwrap

import pytest

from mlstack.utils import paths


@pytest.fixture
def plain_env(monkeypatch, tmp_path):
    monkeypatch.delenv("MLSTACK_REPORTS_DIR", raising=False)
    monkeypatch.setenv("MLSTACK_BUILD_DIR", str(tmp_path / "build"))
    return tmp_path


class _Shell:
    """Stands in for the IPython shell a Jupyter kernel runs."""


def test_a_command_writes_the_repository_reports(plain_env, monkeypatch):
    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    assert not paths.interactive_session()
    assert paths.reports_dir() == paths.repo_root() / "reports"
    assert paths.timings_dir() == paths.repo_root() / "reports" / "timings"


def test_an_interactive_session_writes_under_build(plain_env, monkeypatch):
    monkeypatch.setattr("IPython.get_ipython", lambda: _Shell())
    assert paths.interactive_session()
    assert paths.reports_dir() == plain_env / "build" / "interactive" / "reports"
    assert paths.timings_dir() == plain_env / "build" / "interactive" / "reports" / "timings"


def test_the_engine_setting_wins_even_in_a_kernel(plain_env, monkeypatch):
    monkeypatch.setattr("IPython.get_ipython", lambda: _Shell())
    monkeypatch.setenv("MLSTACK_REPORTS_DIR", str(plain_env / "staging"))
    assert paths.reports_dir() == plain_env / "staging"


@pytest.mark.slow
def test_timings_written_in_a_jupyter_kernel_land_under_build(plain_env, monkeypatch):
    """What running notebook 01 in the lab did to reports/timings, now kept under build/."""
    import nbformat
    from nbclient import NotebookClient

    from mlstack.engine.kernel import KERNEL_NAME, ensure_kernel

    monkeypatch.setenv("JUPYTER_PATH", str(ensure_kernel(plain_env / "kernel")))
    code = textwrap.dedent(
        """
        from mlstack.utils.paths import timings_dir
        from mlstack.utils.timing import time_call, write_timings
        write_timings("01_vectorization", [time_call(lambda: sum([1, 2]), repeat=5).as_record()])
        print(timings_dir())
        """
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=120).execute()
    expected = plain_env / "build" / "interactive" / "reports" / "timings"
    assert nb.cells[0].outputs[0]["text"].strip() == str(expected)
    assert (expected / "01_vectorization.json").is_file()
