"""Tests of mlstack.lessons.profiling: profile tables, pipeline phases, CV overhead, peak memory."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlstack.lessons.profiling import (
    cv_overhead,
    peak_memory,
    pipeline_phases,
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


def test_pipeline_phases_and_cv_overhead_add_up():
    X, y = make_classification(n_samples=400, random_state=0)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    phases = pipeline_phases(pipeline, X[:300], y[:300], X[300:], repeat=2)
    assert set(phases) == {"preprocess_fit_s", "model_fit_s", "predict_s"}
    assert all(value > 0 for value in phases.values())
    split = cv_overhead(pipeline, X, y, cv=KFold(4), scoring="roc_auc")
    assert split["folds"] == 4
    assert split["wall_s"] >= split["fit_s"] + split["score_s"] - 1e-6
    assert split["overhead_s"] >= 0


def test_peak_memory_sees_a_large_temporary_array():
    def allocate():
        block = np.ones(40 * 1024 * 1024 // 8)  # 40 MiB
        return float(block.sum())

    result, memory = peak_memory(allocate)
    assert result == 40 * 1024 * 1024 // 8
    assert memory["traced_peak_mb"] == pytest.approx(40, abs=2)
    assert memory["seconds"] > 0
