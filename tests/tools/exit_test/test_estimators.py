"""Tests of mlstack.tools.exit_test.estimators, .families and .progress."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlstack.errors import InputError
from mlstack.tools.exit_test.estimators import CodedClassifier, CoerceNumeric
from mlstack.tools.exit_test.families import FAMILIES, make_estimator, perturb, sample
from mlstack.tools.exit_test.progress import Progress


def test_coerce_numeric_reads_mixed_columns_as_numbers():
    frame = pd.DataFrame({"a": ["1", "unknown", "3"], "b": ["u", "v", "w"]})
    out = CoerceNumeric(columns=["a"]).fit(frame).transform(frame)
    np.testing.assert_array_equal(out["a"], [1.0, np.nan, 3.0])
    assert out["b"].tolist() == ["u", "v", "w"]


def test_balanced_decision_favours_a_rare_class_over_the_plain_argmax():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=600) > 1.3, "rare", "common")
    plain = CodedClassifier(LogisticRegression()).fit(X, y)
    balanced = CodedClassifier(LogisticRegression(), decision="balanced").fit(X, y)
    assert list(plain.classes_) == ["common", "rare"]
    np.testing.assert_allclose(plain.predict_proba(X), balanced.predict_proba(X))
    assert (balanced.predict(X) == "rare").sum() > (plain.predict(X) == "rare").sum()


def test_unknown_decision_is_an_input_error():
    with pytest.raises(InputError, match="decision='vote'"):
        CodedClassifier(LogisticRegression(), decision="vote").fit([[0], [1]], [0, 1])


@pytest.mark.parametrize("family", [f for f in FAMILIES if FAMILIES[f].searched])
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_sampled_and_perturbed_settings_build_estimators(family, task):
    rng = np.random.default_rng(0)
    for params in (sample(family, task, rng), perturb(family, task, {}, rng)):
        assert params
        estimator = make_estimator(family, task, params, seed=0)
        assert {k: estimator.get_params()[k] for k in params} == params


def _progress_lines(tty: bool, enabled: bool = True) -> list[str]:
    out = io.StringIO()
    out.isatty = lambda: tty
    progress = Progress(30, stream=out, enabled=enabled)
    progress.phase("screen", total=3)
    for i in range(3):
        progress.step(i + 1, detail=f"model {i}")
    progress.note("writing")
    progress.close()
    return out.getvalue().split("\n")


def test_progress_without_a_terminal_is_a_line_per_phase_and_its_end():
    lines = [line for line in _progress_lines(tty=False) if line]
    assert [line.split("] ")[1] for line in lines] == [
        "screen",
        "screen: 3/3 (model 2)",
        "writing",
    ]
    assert all(line.startswith("exit-test [") and "s left]" in line for line in lines)


def test_progress_on_a_terminal_rewrites_one_line():
    text = "\n".join(_progress_lines(tty=True))
    assert text.count("\r") >= 4 and "screen: 2/3" in text


def test_quiet_progress_writes_nothing():
    assert _progress_lines(tty=False, enabled=False) == [""]


def test_xgboost_predicts_rows_whose_category_it_never_saw(tmp_path):
    """A category met only in validation rows is read as missing, not refused."""
    from sklearn.pipeline import Pipeline

    from mlstack.reporting.persist import load_model, save_model
    from mlstack.tools.exit_test.encoding import encoder_steps
    from mlstack.tools.exit_test.families import make_estimator

    rng = np.random.default_rng(0)
    train = pd.DataFrame({"kind": rng.choice(["a", "b", "c"], 200), "x": rng.normal(size=200)})
    y = (train["kind"] == "a") + train["x"]
    new = pd.DataFrame({"kind": ["a", "rare"], "x": [0.0, 0.0]})
    model = make_estimator("xgboost", "regression", {}, 0, n_iter=20)
    pipeline = Pipeline([*encoder_steps("native"), ("model", model)]).fit(train, y)
    prediction = pipeline.predict(new)
    assert np.isfinite(prediction).all()
    path = tmp_path / "model.skops"
    trusted = save_model(pipeline, path)  # the fitted categories are saved with the model
    assert np.array_equal(load_model(path, trusted=trusted).predict(new), prediction)
