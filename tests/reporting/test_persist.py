"""Tests of mlstack.reporting.persist beyond scikit-learn models (the model card's tests cover those)."""

from __future__ import annotations

import numpy as np
import pytest

from mlstack.reporting.persist import file_sha256, load_model, save_model


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_boosting_models_save_byte_identical_and_load(library, tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.integers(0, 2, size=200)
    if library == "xgboost":
        from xgboost import XGBClassifier as Model
    else:
        from lightgbm import LGBMClassifier as Model
    model = Model(n_estimators=5, n_jobs=1).fit(X, y)
    trusted = save_model(model, tmp_path / "a.skops")
    save_model(model, tmp_path / "b.skops")
    assert file_sha256(tmp_path / "a.skops") == file_sha256(tmp_path / "b.skops")
    loaded = load_model(tmp_path / "a.skops", trusted=trusted)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
