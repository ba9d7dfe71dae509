"""Tests of mlstack.tools.exit_test.crossval and .encoding."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from mlstack.tools.exit_test.crossval import Candidate
from mlstack.tools.exit_test.encoding import encoder_steps


@pytest.mark.parametrize("family", ["linear", "hgb", "lightgbm", "xgboost", "random forest"])
def test_every_family_is_scored_on_every_fold_with_its_predictions(binary_cv, family):
    evaluation = binary_cv.evaluate(Candidate(1, family))
    assert evaluation.finished and len(evaluation.scores) == binary_cv.n_folds
    assert 0.6 < evaluation.mean <= 1.0
    for fold, predicted in enumerate(evaluation.predictions):
        assert predicted.shape == (len(binary_cv.splits[fold][1]),)
        assert binary_cv.score(fold, predicted) == pytest.approx(evaluation.scores[fold])


def test_boosting_records_the_trees_early_stopping_kept(binary_cv):
    evaluation = binary_cv.evaluate(Candidate(1, "lightgbm"))
    assert all(isinstance(n, int) and n >= 1 for n in evaluation.n_iter)


def test_a_share_trains_on_fewer_rows_and_folds_can_be_limited(binary_cv):
    evaluation = binary_cv.evaluate(Candidate(1, "linear"), share=1 / 3, folds=2)
    assert evaluation.rows == binary_cv.rows_at(1 / 3) < binary_cv.rows_at(1.0)
    assert evaluation.finished and evaluation.n_folds == 2
    assert np.isnan(evaluation.scores[2:]).all()


def test_folds_past_the_deadline_are_skipped_not_run(binary_cv):
    evaluation = binary_cv.evaluate(
        Candidate(1, "linear"), deadline=time.time() + 5, expected_seconds=60
    )
    assert not evaluation.finished and math.isnan(evaluation.mean)
    assert all(p is None for p in evaluation.predictions)


def test_multiclass_predictions_are_aligned_to_all_classes(multiclass_cv):
    evaluation = multiclass_cv.evaluate(Candidate(1, "lightgbm"), share=0.2, folds=1)
    assert evaluation.predictions[0].shape == (len(multiclass_cv.splits[0][1]), 3)


@pytest.mark.parametrize(
    ("encoding", "last"),
    [("linear", "squashingscaler"), ("native", "knowncategories"), ("ordinal", "categorycodes")],
    ids=["linear", "native", "ordinal"],
)
def test_encodings_are_the_steps_of_the_final_pipeline(encoding, last):
    names = [name for name, _ in encoder_steps(encoding, coerce=["x1"])]
    assert names[0] == "coercenumeric" and names[-1] == last
