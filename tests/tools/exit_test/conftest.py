"""Small tables and cross-validation objects shared by the exit test's unit tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack.tools.exit_test.crossval import CrossValidation
from mlstack.tools.exit_test.encoding import EncodedFolds
from mlstack.tools.exit_test.splitting import cv_splits


def binary_table(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two numeric columns and a category with signal; the target as codes 0/1."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    logit = 1.5 * x1 - x2 + (colour == "red")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour}), y


def make_cv(X: pd.DataFrame, y: np.ndarray, task: str = "binary", n_jobs: int = 1):
    splits, _ = cv_splits(X, pd.Series(y), task, time=None, groups=None, seed=0)
    encoded = EncodedFolds(X, splits, [], n_jobs)
    decision = "balanced" if task == "multiclass" else "argmax"
    return CrossValidation(encoded, y, task, decision=decision, seed=0, n_jobs=n_jobs)


@pytest.fixture(scope="module")
def binary_cv():
    return make_cv(*binary_table())


@pytest.fixture(scope="module")
def multiclass_cv():
    X, y = binary_table(300)
    return make_cv(X, np.where(X["colour"] == "blue", 2, y), task="multiclass")
