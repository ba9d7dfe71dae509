"""Tests of mlstack.tools.exit_test.selection and .ensemble, on made-up fold scores."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from mlstack.tools.exit_test.crossval import Candidate, Evaluation
from mlstack.tools.exit_test.ensemble import Ensemble, _average, _weights_on, build_ensemble
from mlstack.tools.exit_test.selection import choose

K = 10
CV = SimpleNamespace(n_folds=K, n_train=[900] * K, n_test=[100] * K)


def _evaluation(family: str, scores, id_: int = 1, params=()) -> Evaluation:
    scores = np.asarray(scores, dtype=float)
    return Evaluation(
        Candidate(id_, family, params), 1.0, 900, scores, [None] * K, np.ones(K), [None] * K, K
    )


def _folds(mean: float, seed: int, spread: float = 0.02) -> np.ndarray:
    return mean + spread * np.random.default_rng(seed).normal(size=K)


def _noisy(base: np.ndarray, shift: float, n: int = 8) -> list[Evaluation]:
    rng = np.random.default_rng(1)
    return [
        _evaluation("lightgbm", base + shift + 0.005 * rng.normal(size=K), i + 2, (("a", i),))
        for i in range(n)
    ]


def test_the_reference_stays_when_picking_the_best_scores_lower_on_other_folds():
    base = _folds(0.80, 0)
    reference = _evaluation("hgb", base)
    pool = sorted([reference, *_noisy(base, -0.004)], key=lambda e: -e.mean)
    choice = choose(CV, pool, None)
    assert choice.kind == "reference" and choice.members == [reference]
    assert choice.verdicts[0].rechecked and choice.verdicts[0].selected_from == 9
    assert choice.verdicts[0].difference <= 0
    np.testing.assert_allclose(choice.fold_scores, base)


def test_a_step_within_noise_is_taken_on_its_rechecked_mean_and_says_so():
    base = _folds(0.80, 0)
    reference = _evaluation("hgb", base)
    pool = sorted([reference, *_noisy(base, 0.004)], key=lambda e: -e.mean)
    choice = choose(CV, pool, None)
    verdict = choice.verdicts[0]
    assert verdict.verdict == "indistinguishable" and verdict.difference > 0
    assert choice.kind == "best" and "within noise" in choice.reasons[0]


def test_an_equivalent_step_is_refused():
    base = _folds(0.80, 0)
    reference = _evaluation("hgb", base)
    twin = _evaluation("lightgbm", base + 0.0005, 2, (("a", 1),))
    choice = choose(CV, [twin, reference], None)
    assert choice.verdicts[0].verdict == "equivalent" and choice.kind == "reference"


def test_a_clearly_better_candidate_replaces_the_reference_with_rechecked_scores():
    base = _folds(0.80, 0)
    reference = _evaluation("hgb", base)
    better = _evaluation(
        "linear", base + 0.03 + 0.003 * np.random.default_rng(1).normal(size=K), 2
    )
    choice = choose(CV, [better, reference], None)
    assert choice.kind == "best" and choice.members == [better]
    assert choice.verdicts[0].verdict == "better"
    assert "replaces the reference" in choice.reasons[0]


@pytest.mark.parametrize(
    ("gain", "kind"), [(0.03, "ensemble"), (0.0, "reference")], ids=["wins", "ties"]
)
def test_the_ensemble_is_used_only_when_it_wins_on_folds_it_was_not_built_on(gain, kind):
    base = _folds(0.80, 0)
    reference = _evaluation("hgb", base)
    other = _evaluation("linear", base - 0.001, 2)
    ensemble = Ensemble(
        [reference, other],
        np.array([1, 1]),
        base + gain + 0.002 * np.random.default_rng(3).normal(size=K),
        2,
    )
    choice = choose(CV, [reference, other], ensemble)
    assert choice.kind == kind
    if kind == "ensemble":
        assert choice.previous.kind == "reference"
        np.testing.assert_allclose(choice.fold_scores, ensemble.fold_scores)


def test_the_ensemble_weights_are_found_without_the_fold_they_score(binary_cv):
    families = ["linear", "lightgbm", "random forest"]
    pool = [binary_cv.evaluate(Candidate(i, f)) for i, f in enumerate(families)]
    pool.sort(key=lambda e: -e.mean)
    ensemble = build_ensemble(binary_cv, pool)
    assert ensemble is not None and len(ensemble.fold_scores) == binary_cv.n_folds
    assert all(w > 0 for w in ensemble.weights)
    # each fold's score comes from weights found on the other folds only
    for fold in (0, binary_cv.n_folds - 1):
        others = [f for f in range(binary_cv.n_folds) if f != fold]
        weights = _weights_on(binary_cv, pool, others)
        expected = binary_cv.score(fold, _average(pool, weights, fold))
        assert ensemble.fold_scores[fold] == pytest.approx(expected)
