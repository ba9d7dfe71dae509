import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.tools.exam import format_leaderboard, load_exam, read_predictions, submit
from mlstack.tools.exam.scoring import score_interval


def test_submit_scores_the_public_half_and_keeps_a_leaderboard(exam_copy):
    part1 = load_exam(exam_copy).exam.part1
    first = submit(exam_copy)
    predictions = pd.read_csv(exam_copy / "part1" / "predictions.csv")["prediction"].to_numpy()
    y = part1.answers.to_numpy()
    expected = score_interval(
        y[part1.public], predictions[part1.public], "binary", part1.table.positive
    )
    assert first.number == 1
    assert first.public.estimate == pytest.approx(expected.estimate)
    assert first.public.n_units == int(part1.public.sum()) == len(part1.test) // 2
    second = submit(exam_copy, exam_copy / "part1" / "predictions.csv")
    board = pd.read_csv(exam_copy / "leaderboard.csv")
    assert board["submission"].tolist() == [1, 2] and second.number == 2
    assert board["public_score"].nunique() == 1
    assert sorted(p.name for p in (exam_copy / "submissions").iterdir()) == ["001.csv", "002.csv"]
    assert "*2" in format_leaderboard(second.leaderboard, latest=2)


def test_public_and_private_halves_split_the_test_rows_and_each_class(graded_exam):
    part1 = load_exam(graded_exam[0]).exam.part1
    counts = pd.crosstab(part1.answers, part1.public)
    assert (counts[True] - counts[False]).abs().max() <= 1


def _write(path, frame):
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["prediction"]), "no column 'prediction'"),
        (lambda f: f.rename(columns={"row_id": "id"}), "no column 'row_id'"),
        (lambda f: f.iloc[1:], "1 test rows have no prediction"),
        (lambda f: pd.concat([f, f.iloc[:1]]), r"row_id \[\d+\] appear more than once"),
        (lambda f: f.assign(row_id=f["row_id"] + 1), "rows are not test rows"),
        (lambda f: f.assign(prediction=1.5), "probabilities .* from 0 to 1"),
        (lambda f: f.assign(prediction="high"), "must be numbers"),
        (lambda f: f.assign(prediction=None), "predictions are empty"),
    ],
    ids=[
        "no-prediction-column",
        "no-row-id",
        "a-row-missing",
        "a-row-twice",
        "unknown-rows",
        "not-a-probability",
        "not-a-number",
        "empty",
    ],
)
def test_unusable_predictions_are_input_errors(change, message, exam_copy, tmp_path):
    part1 = load_exam(exam_copy).exam.part1
    good = pd.read_csv(exam_copy / "part1" / "predictions.csv")
    path = _write(tmp_path / "bad.csv", change(good))
    with pytest.raises(InputError, match=message):
        read_predictions(path, part1)
    with pytest.raises(InputError, match=message):
        submit(exam_copy, path)
    assert not (exam_copy / "leaderboard.csv").exists()


def test_multiclass_labels_are_checked_and_read_as_text(tmp_path, handins):
    from mlstack.tools.exam import new_exam

    directory = new_exam(tmp_path / "exam", seed=handins.seed_for("multiclass"))
    part1 = load_exam(directory).exam.part1
    labels = part1.classes
    frame = pd.DataFrame({"row_id": part1.test["row_id"], "prediction": labels[0]})
    assert set(read_predictions(_write(tmp_path / "ok.csv", frame), part1)) == {labels[0]}
    with pytest.raises(InputError, match=r"predictions \['nope'\] are not labels"):
        read_predictions(_write(tmp_path / "bad.csv", frame.assign(prediction="nope")), part1)


def test_a_missing_file_is_named(exam_copy):
    (exam_copy / "part1" / "predictions.csv").unlink()
    with pytest.raises(InputError, match="predictions.csv: no such file"):
        submit(exam_copy)
