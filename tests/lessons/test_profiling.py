"""Tests of mlstack.lessons.profiling: profile tables, repeated phase timings, peak memory."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlstack.lessons.profiling import (
    fit_phases,
    fold_scores,
    peak_memory,
    phases_table,
    profile_call,
    short_location,
)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("/r/.venv/lib/python3.11/site-packages/sklearn/base.py", "sklearn/base.py:7(f)"),
        ("/usr/lib/python3.11/json/decoder.py", "json/decoder.py:7(f)"),
        ("/home/me/repo/lib/mlstack/search.py", "mlstack/search.py:7(f)"),
        ("/tmp/ipykernel_1/12345.py", "12345.py:7(f)"),
    ],
    ids=["site-packages", "stdlib", "mlstack", "other"],
)
def test_short_location_hides_local_paths(filename, expected):
    assert short_location(filename, 7, "f") == expected


def _busy():
    return sum(np.sqrt(np.arange(200_000.0)).tolist())


def test_profile_call_returns_result_and_a_table_of_costs():
    result, table, total = profile_call(_busy, top=5)
    assert result == pytest.approx(_busy())
    assert len(table) <= 5
    assert list(table.columns) == ["calls", "own_s", "cum_s", "share"]
    assert table["own_s"].is_monotonic_decreasing
    assert total > 0 and (table["share"] <= 1 + 1e-9).all()
    assert not any(name.startswith("/") for name in table.index)
    _, by_cumulative, _ = profile_call(_busy, top=3, sort="cum_s")
    assert "test_profiling.py" in by_cumulative.index[0] or "_busy" in " ".join(
        by_cumulative.index
    )


def test_fit_phases_repeat_each_phase_and_keep_the_fitted_model():
    X, y = make_classification(n_samples=400, random_state=0)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    phases = fit_phases(pipeline, X, y, repeat=5)
    assert set(phases) == {"fit", "preprocess", "predict", "model"}
    assert phases["fit"].repeat == 5 and phases["fit"].best > 0
    assert phases["model"].predict_proba(X).shape == (400, 2)
    table = phases_table(phases)
    assert table.index.tolist() == ["fit", "preprocess", "predict"]
    assert (table["best_s"] <= table["median_s"]).all() and (table["repeat"] == 5).all()


def test_fold_scores_score_every_fold():
    X, y = make_classification(n_samples=400, random_state=0)
    scores = fold_scores(LogisticRegression(), X, y, KFold(4))
    assert scores.shape == (4,) and (scores > 0.5).all()


def test_peak_memory_sees_a_large_temporary_array():
    def allocate():
        block = np.ones(40 * 1024 * 1024 // 8)  # 40 MiB
        return float(block.sum())

    result, memory = peak_memory(allocate)
    assert result == 40 * 1024 * 1024 // 8
    assert memory["traced_peak_mb"] == pytest.approx(40, abs=2)
    assert set(memory) == {"traced_peak_mb", "rss_peak_mb"}
