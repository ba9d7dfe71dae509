import json
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.tools.exam import grade, load_exam, public_private_gap, submit
from mlstack.tools.exam.rules import MINUTES
from mlstack.tools.exam.scoring import score_interval

CRITERIA = [
    "predictions",
    "score_vs_reference",
    "score_vs_skrub",
    "public_private_gap",
    "anti_patterns",
    "cross_validated_pipeline",
    "model_card",
    "leakage_answer",
    "reflection",
    "time",
]


def _failed(result):
    return {c.name: c.reason for c in result.criteria if not c.passed}


def test_reference_hand_in_passes_every_criterion(graded_exam):
    directory, result = graded_exam
    assert [c.name for c in result.criteria] == CRITERIA
    assert _failed(result) == {}
    assert result.exit_code == 0
    written = json.loads((directory / "grade.json").read_text())
    assert written["passed"] is True
    assert written["part1"]["reference"]["cached"] is False
    markdown = (directory / "grade.md").read_text()
    assert markdown.startswith(f"# Exam grade (seed {result.seed})")
    assert "**Passed: all 10 criteria.**" in markdown


def test_the_reference_and_skrub_default_are_cached_in_the_workspace(exam_copy, handins):
    again = grade(exam_copy, **handins.QUICK)
    part1 = again.facts["part1"]
    assert part1["reference"]["cached"] and part1["skrub_default"]["cached"]
    cache = exam_copy / ".grading" / "reference-10s"
    assert {"predictions.csv", "key.json", "metrics.json"} <= {p.name for p in cache.iterdir()}
    # exit-test's own outputs sit beside its predictions; the labels are not there
    assert (cache / "exit-test" / "model_card.md").is_file()
    answers = load_exam(exam_copy).exam.part1.answers
    cached = pd.read_csv(cache / "predictions.csv")
    assert list(cached.columns) == ["row_id", "prediction"] and len(cached) == len(answers)


SCORES = {"score_vs_reference", "score_vs_skrub"}


@pytest.mark.parametrize(
    ("flaw", "criterion", "reason", "also"),
    [
        (
            "scaled_before_split",
            "anti_patterns",
            r"AP3 scaler is fitted on .* before cross_validate\(\)",
            set(),
        ),
        # probing the leaderboard changes private predictions at random: they get worse too
        (
            "tuned_on_the_leaderboard",
            "public_private_gap",
            r"beyond noise after 81 submissions: the public half was used to choose .*AP2",
            SCORES,
        ),
        ("wrong_leak", "leakage_answer", r"you named `\w+`; the planted cause was", set()),
        ("missing_model_card", "model_card", r"part1/model_card.md is missing", set()),
        ("silenced_linter", "anti_patterns", r"silence\(s\) the linter", set()),
        ("constant_predictions", "score_vs_reference", r"worse than the reference", SCORES),
        ("short_reflection", "reflection", r"\d+ words \(write 300 to 500\)", set()),
    ],
    ids=[
        "preprocessing-fitted-before-the-split",
        "test-file-used-for-tuning",
        "wrong-leak-named",
        "missing-model-card",
        "linter-silenced",
        "worse-than-the-reference",
        "short-reflection",
    ],
)
def test_a_flawed_hand_in_fails_for_its_reason(flaw, criterion, reason, also, exam_copy, handins):
    predictions = exam_copy / "part1" / "predictions.csv"
    if flaw == "scaled_before_split":
        handins.write_solution(exam_copy, preprocessing=handins.SCALED_BEFORE_SPLIT)
    elif flaw == "tuned_on_the_leaderboard":
        handins.probe_public_half(exam_copy)
    elif flaw == "wrong_leak":
        planted = load_exam(exam_copy).exam.part2.kind
        wrong = "identifier" if planted != "identifier" else "target_proxy"
        handins.write_answer(exam_copy, wrong, ["x"])
    elif flaw == "missing_model_card":
        (exam_copy / "part1" / "model_card.md").unlink()
    elif flaw == "silenced_linter":
        script = exam_copy / "part1" / "solution.py"
        script.write_text("# mlstack-lint: allow AP3\n" + script.read_text())
    elif flaw == "constant_predictions":
        frame = pd.read_csv(predictions).assign(prediction=0.5)
        frame.to_csv(predictions, index=False)
    elif flaw == "short_reflection":
        handins.write_reflection(exam_copy, "pandas, Polars, DuckDB: it depends. 41 s, 38 s.")
    result = grade(exam_copy, **handins.QUICK)
    failed = _failed(result)
    assert criterion in failed and set(failed) <= {criterion, *also}, failed
    assert result.exit_code == 1
    assert re.search(reason, failed[criterion]), failed[criterion]
    headline = f"**Not passed: {len(failed)} of 10 criteria failed**"
    assert headline in (exam_copy / "grade.md").read_text()


def test_honest_resubmissions_do_not_fail_the_gap(exam_copy, handins):
    for _ in range(3):
        submit(exam_copy)
    result = grade(exam_copy, **handins.QUICK)
    gap = next(c for c in result.criteria if c.name == "public_private_gap")
    assert gap.passed and gap.reason.startswith("3 submissions")


def test_missing_predictions_fail_with_a_message_not_an_exception(exam_copy, handins):
    (exam_copy / "part1" / "predictions.csv").unlink()
    failed = _failed(grade(exam_copy, **handins.QUICK))
    assert failed["predictions"].startswith("part1/predictions.csv: no such file")
    assert failed["score_vs_reference"] == "no usable predictions to score"


def test_handing_in_after_two_hours_fails_the_time(exam_copy, handins):
    started = json.loads((exam_copy / "exam.json").read_text())["started_epoch"]
    late = started + (MINUTES["total"] + 5) * 60
    reflection = exam_copy / "part3" / "reflection.md"
    os.utime(reflection, (late, late))
    failed = _failed(grade(exam_copy, **handins.QUICK))
    assert list(failed) == ["time"]
    assert "2 h 05 min after the start" in failed["time"]


def test_an_empty_hand_in_fails_everything_but_never_raises(tmp_path, graded_exam, handins):
    directory, _ = graded_exam
    fresh = tmp_path / "fresh"
    shutil.copytree(directory, fresh)
    for name in ("predictions.csv", "model_card.md", "solution.py"):
        (fresh / "part1" / name).unlink()
    (fresh / "part3" / "reflection.md").unlink()
    (fresh / "part2" / "answer.toml").write_text('cause = ""\ncolumns = []\n')
    result = grade(fresh, **handins.QUICK)
    assert set(_failed(result)) == set(CRITERIA) - {"time"}
    assert "no notebook or script in part1/" in _failed(result)["anti_patterns"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no_exam_json", "not an exam workspace"),
        ("bad_json", "exam.json: unreadable"),
        ("other_seed", "no longer gives the files"),
        ("other_format", "made by exam format 0"),
    ],
    ids=["not-a-workspace", "unreadable-exam-json", "files-from-another-seed", "old-format"],
)
def test_an_unusable_workspace_is_an_input_error(damage, message, exam_copy):
    state = exam_copy / "exam.json"
    facts = json.loads(state.read_text())
    if damage == "no_exam_json":
        state.unlink()
    elif damage == "bad_json":
        state.write_text("{not json")
    elif damage == "other_seed":
        state.write_text(json.dumps({**facts, "seed": facts["seed"] + 1}))
    else:
        state.write_text(json.dumps({**facts, "format": 0}))
    with pytest.raises(InputError, match=message):
        grade(exam_copy, budget_s=10.0)


def test_budget_must_be_positive(exam_copy):
    with pytest.raises(InputError, match="budget_s=0"):
        grade(exam_copy, budget_s=0)


def test_the_gap_is_public_minus_private_of_the_same_predictions(graded_exam):
    directory, _ = graded_exam
    part1 = load_exam(directory).exam.part1
    prediction = pd.read_csv(directory / "part1" / "predictions.csv")["prediction"].to_numpy()
    gap = public_private_gap(part1, prediction, n_resamples=200)
    y = part1.answers.to_numpy()
    public = score_interval(
        y[part1.public], prediction[part1.public], "binary", part1.table.positive
    )
    assert gap["public"] == pytest.approx(public.estimate)
    assert gap["gap"] == pytest.approx(gap["public"] - gap["private"])
    assert gap["low"] < gap["gap"] < gap["high"]
    assert np.isfinite([gap["low"], gap["high"]]).all()
