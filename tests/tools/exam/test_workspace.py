import json

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.tools.exam import build_exam, draw, load_exam, new_exam
from mlstack.tools.exam.rules import CAUSES

FILES = [
    "README.md",
    "exam.json",
    "part1/TASK.md",
    "part1/test.csv",
    "part1/train.csv",
    "part2/SCENARIO.md",
    "part2/answer.toml",
    "part2/test.csv",
    "part2/train.csv",
    "part2/validation.csv",
    "part3/PROMPT.md",
]


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_a_new_exam_has_every_file_and_no_answer(task, tmp_path, handins):
    seed = handins.seed_for(task)
    directory = new_exam(tmp_path / "exam", seed=seed)
    written = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert written == FILES
    exam = load_exam(directory).exam
    table = exam.part1.table
    train = pd.read_csv(directory / "part1" / "train.csv")
    test = pd.read_csv(directory / "part1" / "test.csv")
    assert table.target in train.columns and table.target not in test.columns
    assert test["row_id"].tolist() == list(range(1, len(test) + 1))
    assert list(test.columns[1:]) == [c for c in train.columns if c != table.target]
    # the answers stay out of the workspace: exam.json holds the seed, not the cause
    state = json.loads((directory / "exam.json").read_text())
    assert set(state) == {"format", "seed", "started_at", "started_epoch", "files"}
    assert (
        exam.part2.kind
        not in (directory / "part2" / "SCENARIO.md").read_text().split("The causes:")[0]
    )
    assert "2 hours" in (directory / "README.md").read_text()
    task_text = (directory / "part1" / "TASK.md").read_text()
    assert f"Predict `{table.target}` ({task})" in " ".join(task_text.split())


def test_the_seed_alone_decides_the_exam():
    seed = 11
    first, second = build_exam.__wrapped__(seed), build_exam.__wrapped__(seed)
    pd.testing.assert_frame_equal(first.part1.test, second.part1.test)
    pd.testing.assert_series_equal(first.part1.answers, second.part1.answers)
    np.testing.assert_array_equal(first.part1.public, second.part1.public)
    pd.testing.assert_frame_equal(first.part2.validation, second.part2.validation)
    assert (first.part2.kind, first.part2.columns) == (second.part2.kind, second.part2.columns)
    other = build_exam.__wrapped__(seed + 1)
    assert not other.part1.test.equals(first.part1.test)


def test_part2_is_another_table_than_part1():
    for seed in range(30):
        table, kind, base = draw(seed)
        assert table.source != base.source
        assert kind in CAUSES


@pytest.mark.parametrize(
    ("seed", "message"),
    [(-1, "--seed -1: give a whole number from 0"), ("7", "--seed '7'")],
    ids=["negative", "text"],
)
def test_bad_seeds_are_input_errors(seed, message, tmp_path):
    with pytest.raises(InputError, match=message):
        new_exam(tmp_path / "exam", seed=seed)
    assert not (tmp_path / "exam").exists()


def test_a_non_empty_directory_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists and is not empty"):
        new_exam(tmp_path, seed=1)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_without_a_seed_one_is_drawn_and_recorded(tmp_path, monkeypatch):
    import mlstack.tools.exam.workspace as workspace

    monkeypatch.setattr(workspace.secrets, "randbelow", lambda n: 9)
    directory = new_exam(tmp_path / "exam")
    assert json.loads((directory / "exam.json").read_text())["seed"] == 9
