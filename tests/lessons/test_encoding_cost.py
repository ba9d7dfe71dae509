import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.model_selection import KFold
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

from mlstack.lessons.encoding_cost import dense_nbytes, matrix_nbytes, measure_encoding


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
def high_cardinality():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"plane": (np.arange(2000) % 400).astype(str)})
    y = rng.integers(0, 2, 2000)
    return X, y


@pytest.mark.parametrize(
    ("encoder", "n_columns", "sparse"),
    [
        (OneHotEncoder(), 400, True),
        (OrdinalEncoder(), 1, False),
        (TargetEncoder(cv=KFold(3, shuffle=True, random_state=0)), 1, False),
    ],
    ids=["one-hot", "ordinal", "target"],
)
def test_measure_encoding(high_cardinality, encoder, n_columns, sparse):
    cost = measure_encoding(encoder, *high_cardinality, repeat=1)
    assert cost["n_columns"] == n_columns
    assert cost["sparse"] is sparse
    assert cost["dense_bytes"] == 2000 * n_columns * 8
    assert cost["fit_seconds"] > 0
    assert cost["peak_bytes"] > 0


def test_one_hot_sparse_is_far_smaller_than_dense(high_cardinality):
    cost = measure_encoding(OneHotEncoder(), *high_cardinality, repeat=1)
    assert cost["output_bytes"] * 20 < cost["dense_bytes"]
