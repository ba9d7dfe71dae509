"""Tests of mlstack.tools.exit_test.final: the final model and the single evaluation."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import VotingClassifier

from mlstack.tools.exit_test.crossval import Candidate
from mlstack.tools.exit_test.estimators import CodedClassifier
from mlstack.tools.exit_test.final import final_model


def test_an_ensemble_shares_each_encoder_and_averages_with_its_weights(binary_cv):
    families = ["linear", "lightgbm", "hgb"]
    members = [
        binary_cv.evaluate(Candidate(i, f), share=0.5, folds=2) for i, f in enumerate(families)
    ]
    X, y = binary_cv.encoded.X, np.where(binary_cv.y == 1, "yes", "no")
    ensemble = final_model(members, [2, 1, 1], "binary", coerce=[], seed=0, decision="argmax")
    ensemble.fit(X, y)
    assert isinstance(ensemble, CodedClassifier)
    vote = ensemble.estimator_
    assert isinstance(vote, VotingClassifier) and list(vote.named_estimators_) == [
        "linear",
        "native",
    ]
    assert list(vote.weights) == [2, 2]  # the native pipeline holds two members of weight 1
    singles = [
        final_model([e], [1], "binary", coerce=[], seed=0, decision="argmax").fit(X, y)
        for e in members
    ]
    expected = (
        2 * singles[0].predict_proba(X) + singles[1].predict_proba(X) + singles[2].predict_proba(X)
    ) / 4
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, atol=1e-10)


def test_boosting_is_refitted_with_the_trees_its_folds_found(binary_cv):
    evaluation = binary_cv.evaluate(Candidate(1, "lightgbm"), folds=3)
    model = final_model([evaluation], [1], "regression", coerce=[], seed=0, decision="argmax")
    found = [n for n in evaluation.n_iter if n is not None]
    assert model.steps[-1][1].n_estimators == round(float(np.median(found)) * 1.1)
