"""The command line only parses and delegates; errors become one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlstack import cli
from mlstack.engine import runner as reproduce
from mlstack.errors import ReproduceError


def test_reproduce_passes_its_arguments_to_the_library(monkeypatch, capsys):
    received = {}

    def fake_reproduce(names, **kwargs):
        received.update(names=names, **kwargs)
        return reproduce.ReproduceSummary([reproduce.NotebookResult("01_x", "ok", 1.0)])

    monkeypatch.setattr(reproduce, "reproduce", fake_reproduce)
    status = cli.main(
        ["reproduce", "01", "03", "--params", "smoke", "--force", "-j", "2", "--out", "out"]
    )
    assert status == 0
    assert received == {
        "names": ["01", "03"],
        "params": "smoke",
        "force": True,
        "n_jobs": 2,
        "reports_dir": Path("out"),
        "dry_run": False,
    }
    assert "1 ran, 0 up to date, 0 failed" in capsys.readouterr().out


def test_failed_notebooks_give_exit_status_1(monkeypatch, capsys):
    failed = reproduce.NotebookResult("02_y", "failed", 1.0, "cell 3: ValueError: bad")
    monkeypatch.setattr(
        reproduce, "reproduce", lambda names, **kw: reproduce.ReproduceSummary([failed])
    )
    assert cli.main(["reproduce"]) == 1
    assert "02_y: cell 3: ValueError: bad" in capsys.readouterr().out


def test_library_errors_become_one_error_line_and_exit_2(monkeypatch, capsys):
    def boom(names, **kwargs):
        raise ReproduceError("no parameter set 'fast'")

    monkeypatch.setattr(reproduce, "reproduce", boom)
    assert cli.main(["reproduce", "--params", "fast"]) == 2
    assert capsys.readouterr().err == "error: no parameter set 'fast'\n"


@pytest.mark.slow
def test_python_dash_m_runs_the_command_without_traceback():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlstack",
            "reproduce",
            "--params",
            "no-such-set",
            "--out",
            "/nonexistent-x",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: no parameter set 'no-such-set'")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
