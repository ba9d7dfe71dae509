from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mlstack.cli import main
from mlstack.errors import InputError
from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.tools.exam import grading, leaderboard, outcome, workspace


def test_exam_new_passes_the_directory_and_seed(monkeypatch, capsys, tmp_path):
    calls = []

    def new_exam(directory, seed=None):
        calls.append((directory, seed))
        return directory

    state = SimpleNamespace(seed=4, directory=tmp_path, started_at="2025-01-01T00:00:00Z")
    monkeypatch.setattr(workspace, "new_exam", new_exam)
    monkeypatch.setattr(workspace, "load_exam", lambda directory: state)
    assert main(["exam", "new", str(tmp_path), "--seed", "4"]) == 0
    assert calls == [(tmp_path, 4)]
    assert "wrote the exam of seed 4" in capsys.readouterr().out
    assert main(["exam", "new", str(tmp_path)]) == 0
    assert calls[-1] == (tmp_path, None)


def test_exam_submit_prints_the_public_score_and_the_board(monkeypatch, capsys):
    board = pd.DataFrame(
        {
            "submission": [1],
            "submitted_at": ["t"],
            "elapsed_min": [12.0],
            "metric": ["r2"],
            "public_score": [0.7],
            "public_low": [0.6],
            "public_high": [0.8],
            "sha256": ["x"],
        }
    )
    received = []

    def fake_submit(directory, predictions=None):
        received.append((directory, predictions))
        ci = ConfidenceInterval("r2", 0.7, 0.6, 0.8, 0.95, 1000, "rows", 150)
        return leaderboard.Submission(1, "t", 12.0, ci, board)

    monkeypatch.setattr(leaderboard, "submit", fake_submit)
    assert main(["exam", "submit", "ws", "--predictions", "p.csv"]) == 0
    assert received == [(Path("ws"), Path("p.csv"))]
    out = capsys.readouterr().out
    assert "submission 1 at 12.0 min: public r2 0.7000 [0.6000, 0.8000] (150 public rows" in out
    assert "*1" in out


@pytest.mark.parametrize(("passed", "status"), [(True, 0), (False, 1)], ids=["pass", "fail"])
def test_exam_grade_exit_status_is_whether_every_criterion_passed(
    monkeypatch, capsys, passed, status
):
    received = []

    def fake_grade(directory, *, budget_s):
        received.append((directory, budget_s))
        criterion = outcome.Criterion("model_card", "Part 1", "card", passed, "why")
        return outcome.Grade(Path("ws"), 3, [criterion])

    monkeypatch.setattr(grading, "grade", fake_grade)
    assert main(["exam", "grade", "ws", "--budget-s", "30"]) == status
    assert received == [(Path("ws"), 30.0)]
    assert f"{'pass' if passed else 'FAIL'}  model_card: why" in capsys.readouterr().out


def test_an_unusable_workspace_exits_2_with_one_line(monkeypatch, capsys):
    def fake_grade(directory, *, budget_s):
        raise InputError("ws: not an exam workspace (no exam.json)")

    monkeypatch.setattr(grading, "grade", fake_grade)
    assert main(["exam", "grade", "ws"]) == 2
    assert capsys.readouterr().err == "error: ws: not an exam workspace (no exam.json)\n"
