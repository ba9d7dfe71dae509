import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, TargetEncoder

from mlstack.lessons.encoding_cost import (
    cost_by_cardinality,
    cost_sentence,
    dense_nbytes,
    fit_peak_bytes,
    levels_of,
    matrix_nbytes,
)


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        (np.zeros((10, 4)), 320),
        (np.zeros((10, 4), dtype=np.float32), 160),
        (sp.csr_matrix(np.eye(5)), 5 * 8 + 5 * 4 + 6 * 4),
        (sp.coo_array(np.eye(5)), 5 * 8 + 2 * 5 * 4),
        (pd.DataFrame({"a": np.zeros(10), "b": np.ones(10, dtype=np.int32)}), 120),
    ],
    ids=["dense-f64", "dense-f32", "csr", "coo", "frame"],
)
def test_matrix_nbytes(matrix, expected):
    assert matrix_nbytes(matrix) == expected


def test_dense_nbytes_does_not_allocate():
    assert dense_nbytes((10**6, 10**5)) == 8 * 10**11


@pytest.fixture(scope="module")
def cost():
    rng = np.random.default_rng(0)
    codes = pd.Series(rng.integers(0, 400, 1200))
    y = pd.Series((codes % 7 < 3).astype(int) ^ (rng.random(1200) < 0.2))
    levels = levels_of(codes.iloc[:800], [10, None])
    train = {
        n: pd.DataFrame({"c": (codes.iloc[:800] % (k or 10**6)).astype(str)})
        for n, k in levels.items()
    }
    valid = {
        n: pd.DataFrame({"c": (codes.iloc[800:] % (k or 10**6)).astype(str)})
        for n, k in levels.items()
    }
    pipelines = {
        "dense": make_pipeline(
            OneHotEncoder(sparse_output=False, handle_unknown="ignore"), LogisticRegression()
        ),
        "target": make_pipeline(
            TargetEncoder(cv=KFold(3, shuffle=True, random_state=0)), LogisticRegression()
        ),
    }
    return cost_by_cardinality(pipelines, train, y.iloc[:800], valid, y.iloc[800:], repeat=2)


def test_levels_of_names_levels_by_their_categories():
    assert levels_of([0, 1, 2, 3, 4, 5], [2, 10, None]) == {2: 2, 6: None}
    assert levels_of([0, 1, 1, -1], [None]) == {2: None}


def test_cost_by_cardinality_measures_width_memory_time_and_scores(cost):
    table, scores = cost
    top = max(table.index.get_level_values("categories"))
    assert table.loc[(10, "dense"), "columns"] == 10
    assert table.loc[(top, "dense"), "columns"] == top
    assert table.loc[(top, "target"), "columns"] == 1
    assert (
        table.loc[(top, "dense"), "peak MB while fitting"]
        > table.loc[(10, "dense"), "peak MB while fitting"]
    )
    assert table.loc[(top, "dense"), "encoded MB"] == pytest.approx(800 * top * 8 / 1e6)
    assert all(t.repeat == 2 for t in table["fit"])
    assert scores[("target", 10)].shape == (400,)


def test_cost_sentence_follows_the_table(cost):
    table, _ = cost
    text = cost_sentence(table, "dense", ["target"], full_rows=100_000)
    assert "From 10 to" in text and "columns" in text
    assert "target was" in text or "target and dense were indistinguishable" in text
    assert "dense matrix alone would take" in text


def test_fit_peak_bytes_sees_the_dense_matrix():
    X = pd.DataFrame({"c": (np.arange(2000) % 200).astype(str)})
    peak = fit_peak_bytes(OneHotEncoder(sparse_output=False), X)
    assert peak > 0
