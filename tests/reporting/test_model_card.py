"""Tests of mlstack.reporting.model_card (and the skops round trip of the saved model)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.metrics.calibration import calibration_table
from mlstack.metrics.evaluation import slice_metrics
from mlstack.model_selection.guard import HeldOutTestSet
from mlstack.reporting.model_card import (
    CVSummary,
    DataSummary,
    HeldOutResult,
    ModelCard,
    describe_estimator,
    fingerprint_frame,
    markdown_table,
    reproducibility_facts,
)
from mlstack.reporting.persist import file_sha256, load_model, save_model, untrusted_types

# The types a loader must trust for the flights HistGradientBoosting pipeline,
# reviewed once and written down: a new type in the file must fail loudly.
FLIGHTS_HGB_TRUSTED = [
    "functools.partial",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
]


def _binary_setup(n=400, seed=0):
    X, y = make_classification(n_samples=n, n_features=5, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["group"] = np.where(np.arange(n) % 3 == 0, "a", "b")
    frame["when"] = pd.date_range("2020-01-01", periods=n, freq="D")
    guard = HeldOutTestSet.from_split(frame, pd.Series(y), np.arange(n) >= n * 3 // 4)
    return guard


def _binary_card(guard=None, **overrides):
    guard = guard or _binary_setup()
    features = [f"x{i}" for i in range(5)]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    X_train, y_train = guard.train
    cv_scores = cross_val_score(model, X_train[features], y_train, scoring="roc_auc", cv=4)

    class OnFeatures:  # the guard hands the whole frame to predict
        def predict(self, X):
            return model.predict(X[features])

        def predict_proba(self, X):
            return model.predict_proba(X[features])

    model.fit(X_train[features], y_train)
    evaluation = guard.evaluate(
        OnFeatures(), {"roc_auc": roc_auc_score, "accuracy": accuracy_score}
    )
    name, params = describe_estimator(model)
    fields = dict(
        title="Synthetic binary",
        problem="Predict the synthetic label.",
        intended_use="Tests only.",
        task="binary",
        data=DataSummary.describe(
            y_train,
            evaluation.y_true,
            task="binary",
            source="make_classification",
            target="y",
            time=pd.concat([X_train["when"], guard.slice_columns(["when"])["when"]]),
            split="last quarter of the rows",
            fingerprint="0123456789abcdef",
        ),
        features_used=features,
        features_excluded={"when": "a timestamp", "group": "only for slices"},
        model=name,
        hyperparameters=params,
        cv=CVSummary.from_scores("roc_auc", cv_scores, scheme="4-fold"),
        test=HeldOutResult.from_evaluation(
            evaluation, metric="roc_auc", n_evaluations=guard.n_evaluations, n_resamples=200
        ),
        calibration=calibration_table(evaluation.y_true, evaluation.y_score, n_bins=4),
        slices=slice_metrics(
            evaluation.y_true,
            evaluation.y_pred,
            guard.slice_columns(["group"]),
            y_score=evaluation.y_score,
        ),
        limitations=["Synthetic data says nothing about the real world."],
        leakage_checks=["Scaling is fitted inside the pipeline."],
        reproducibility={"seed (model)": "0", "python": "3.11"},
        model_file="models/model.skops",
        trusted_types=["numpy.dtype"],
    )
    fields.update(overrides)
    return ModelCard(**fields)


def test_binary_card_has_every_section_with_the_recorded_numbers():
    card = _binary_card()
    text = card.to_markdown()
    for heading in [
        "# Model card: Synthetic binary",
        "## Problem and intended use",
        "## Data",
        "## Features",
        "## Model",
        "### Cross-validation (development data)",
        "### Held-out test set",
        "### Calibration",
        "### Performance on slices (test set)",
        "## Limitations and known failure modes",
        "## Leakage checks applied",
        "## Warnings",
        "## Reproducibility",
    ]:
        assert f"\n{heading}\n" in f"\n{text}", heading
    assert f"roc_auc: **{card.test.score:.3f}**, 95% bootstrap interval" in text
    assert f"[{card.test.ci.low:.3f}, {card.test.ci.high:.3f}]" in text
    assert "The test set was evaluated **once**" in text
    assert (
        f"**{card.cv.mean:.3f} ± {card.cv.se:.3f}** (mean ± standard error, over 4 folds; 4-fold)"
        in text
    )
    assert f"(standard deviation {card.cv.std:.3f})" in text
    assert f"(200 resamples of {card.test.n_rows:,} test rows)" in text
    assert "| `when`            | a timestamp     |" in text
    assert "| time range       | 2020-01-01 to 2021-02-03" in text
    assert "| 1_logisticregression__C | `0.5`" not in text  # pipeline step names are kept
    assert "| logisticregression__C | `0.5`   |" in text
    assert "trusting exactly: `numpy.dtype`" in text
    assert " at 0x" not in text


def test_card_with_a_reused_test_set_warns_and_counts():
    guard = _binary_setup()
    card = _binary_card(guard)
    card.test = HeldOutResult(card.test.metric, card.test.ci, card.test.scores, 100, 3)
    text = card.to_markdown()
    assert "The test set was evaluated **3 times**" in text
    assert "The test set was evaluated 3 times: the reported test score" in text


def _ci(estimate, half_width, **extra):
    return ConfidenceInterval(
        "roc_auc", estimate, estimate - half_width, estimate + half_width, 0.95, 200, **extra
    )


@pytest.mark.parametrize(
    ("cv_scores", "test_score", "test_half_width", "warns"),
    [
        ((0.99, 0.99, 0.98), 0.70, 0.03, "below"),  # far outside both uncertainties
        ((0.683, 0.6832, 0.6834), 0.697, 0.03, None),  # identical folds, wide test interval
        ((0.683, 0.6832, 0.6834), 0.697, 0.005, "above"),  # a precise test score, a real gap
    ],
    ids=["far-below", "within-test-noise", "beyond-both"],
)
def test_card_warns_when_the_gap_exceeds_two_standard_errors_of_the_difference(
    cv_scores, test_score, test_half_width, warns
):
    card = _binary_card(cv=CVSummary("roc_auc", cv_scores, "3-fold"))
    card.test = HeldOutResult(
        "roc_auc", _ci(test_score, test_half_width), card.test.scores, 100, 1
    )
    found = [w for w in card.all_warnings() if "cross-validation estimate" in w]
    if warns is None:
        assert not found
    else:
        assert len(found) == 1 and f"is {warns} the cross-validation estimate" in found[0]
        assert "standard errors of their difference" in found[0]


def test_cv_standard_error_is_corrected_for_overlapping_training_sets():
    plain = CVSummary.from_scores("roc_auc", [0.70, 0.72, 0.71, 0.69, 0.73], scheme="5 folds")
    sized = CVSummary.from_scores(
        "roc_auc", plain.scores, scheme="5 folds", n_train=[800] * 5, n_test=[200] * 5
    )
    assert plain.se == pytest.approx(np.std(plain.scores, ddof=1) / np.sqrt(5))
    assert sized.se == pytest.approx(np.std(plain.scores, ddof=1) * np.sqrt(1 / 5 + 0.25))
    assert "corrected for overlapping training sets" in _binary_card(cv=sized).to_markdown()
    with pytest.raises(InputError, match="one count per fold"):
        CVSummary.from_scores("roc_auc", plain.scores, scheme="x", n_train=[1, 2])


def test_test_interval_resampling_days_names_its_unit():
    guard = _binary_setup()
    card = _binary_card(guard)
    days = np.arange(card.test.n_rows) // 5
    evaluation = guard.history[0]
    by_day = HeldOutResult.from_evaluation(
        evaluation, metric="roc_auc", n_evaluations=1, n_resamples=200, groups=days, unit="days"
    )
    assert by_day.ci.unit == "days" and by_day.ci.n_units == days.max() + 1
    card.test = by_day
    text = card.to_markdown()
    assert f"(200 resamples of {days.max() + 1} days holding {by_day.n_rows:,} test rows)" in text


def test_card_warns_on_poor_calibration():
    bad = pd.DataFrame(
        {
            "range": ["0-1"],
            "n": [10],
            "mean_predicted": [0.9],
            "observed_rate": [0.1],
            "gap": [-0.8],
        }
    )
    assert any("poorly calibrated" in w for w in _binary_card(calibration=bad).all_warnings())


def test_write_is_atomic_deterministic_and_draws_the_reliability_diagram(tmp_path):
    card = _binary_card()
    path = card.write(tmp_path / "model_card.md")
    first = path.read_bytes(), (tmp_path / "model_card_files" / "calibration.png").read_bytes()
    card.write(tmp_path / "model_card.md")
    second = path.read_bytes(), (tmp_path / "model_card_files" / "calibration.png").read_bytes()
    assert first == second
    assert b"![Reliability diagram](model_card_files/calibration.png)" in first[0]
    assert first[1][:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_card.md", "model_card_files"]


def test_write_without_calibration_writes_no_figure(tmp_path):
    _binary_card(calibration=None).write(tmp_path / "card.md")
    assert [p.name for p in tmp_path.iterdir()] == ["card.md"]


def test_to_dict_is_json_serializable_and_complete():
    data = _binary_card().to_dict()
    text = json.dumps(data, allow_nan=False)
    assert data["test"]["n_evaluations"] == 1
    assert data["cv"]["folds"] == 4
    assert data["slices"][0]["slice"] == "group"
    assert "ci" in data["test"] and "low" in data["test"]["ci"]
    assert json.loads(text)["features_excluded"]["when"] == "a timestamp"


def test_regression_card_summarizes_the_target_and_uses_r2():
    X, y = make_regression(n_samples=200, n_features=3, noise=5, random_state=0)
    guard = HeldOutTestSet(X[:150], y[:150], X[150:], y[150:])
    model = Ridge().fit(*guard.train)
    evaluation = guard.evaluate(model, {"r2": r2_score})
    card = ModelCard(
        title="Synthetic regression",
        problem="Predict y.",
        intended_use="Tests only.",
        task="regression",
        data=DataSummary.describe(
            guard.train[1], evaluation.y_true, task="regression", source="synthetic", target="y"
        ),
        features_used=["a", "b", "c"],
        model=describe_estimator(model)[0],
        hyperparameters={},
        test=HeldOutResult.from_evaluation(
            evaluation, metric="r2", n_evaluations=1, n_resamples=100
        ),
        slices=slice_metrics(
            evaluation.y_true, evaluation.y_pred, pd.Series(["u", "v"] * 25), task="regression"
        ),
    )
    text = card.to_markdown()
    assert "| statistic   |" in text and "Target distribution" in text
    assert f"r2: **{r2_score(evaluation.y_true, evaluation.y_pred):.3f}**" in text
    assert "### Calibration" not in text


def test_multiclass_card_with_top_label_calibration():
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=4, n_features=6, random_state=0
    )
    labels = np.array(["low", "mid", "high"])[y]
    guard = HeldOutTestSet(X[:200], labels[:200], X[200:], labels[200:])
    model = LogisticRegression().fit(*guard.train)
    evaluation = guard.evaluate(model, {"balanced_accuracy": balanced_accuracy_score})
    card = ModelCard(
        title="Three classes",
        problem="Predict the level.",
        intended_use="Tests only.",
        task="multiclass",
        data=DataSummary.describe(
            guard.train[1], evaluation.y_true, task="multiclass", source="synthetic", target="y"
        ),
        features_used=[f"x{i}" for i in range(6)],
        model="LogisticRegression.",
        hyperparameters={},
        test=HeldOutResult.from_evaluation(
            evaluation, metric="balanced_accuracy", n_evaluations=1, n_resamples=100
        ),
        calibration=calibration_table(
            evaluation.y_true, evaluation.y_score, n_bins=3, classes=model.classes_
        ),
    )
    text = card.to_markdown()
    assert "| high    |" in text  # class balance rows, sorted by label
    assert "confidence of the predicted class" in text


def test_unknown_task_and_metric_are_rejected():
    with pytest.raises(ValueError, match="unknown task 'ranking'"):
        _binary_card(task="ranking")
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        HeldOutResult.from_evaluation(object(), metric="f1", n_evaluations=1)


def test_cv_summary_from_grid_and_halving_searches():
    X, y = make_classification(n_samples=300, random_state=0)
    grid = GridSearchCV(
        LogisticRegression(), {"C": [0.01, 1.0]}, cv=3, scoring=["roc_auc", "accuracy"],
        refit="roc_auc",
    ).fit(X, y)  # fmt: skip
    summary = CVSummary.from_search(grid, scheme="3-fold")
    assert summary.metric == "roc_auc" and summary.n_folds == 3
    assert summary.mean == pytest.approx(grid.best_score_)
    halving = HalvingRandomSearchCV(
        LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3, scoring="roc_auc",
        random_state=0, min_resources=60, n_candidates=4,
    ).fit(X, y)  # fmt: skip
    summary = CVSummary.from_search(halving, scheme="3-fold")
    assert summary.mean == pytest.approx(halving.best_score_)
    assert str(summary).endswith("(standard error, 3 folds)")


def test_describe_estimator_names_steps_and_non_default_parameters():
    from mlstack.flights.pipelines import make_model

    name, params = describe_estimator(make_model("logistic"))
    assert name.startswith("Pipeline: preprocess (ColumnTransformer: categorical -> OneHotEncoder")
    assert "-> model (LogisticRegression)." in name
    assert params == {"model__max_iter": 1000}
    _, params = describe_estimator(make_model("hgb", learning_rate=0.05))
    assert params["model__learning_rate"] == 0.05
    assert params["model__early_stopping"] is False


def test_reproducibility_facts_hash_the_lock_and_record_seeds(tmp_path):
    lock = tmp_path / "uv.lock"
    lock.write_text("locked\n")
    facts = reproducibility_facts(
        data_fingerprint="abc", seeds={"search": 1, "model": 0}, lock_file=lock
    )
    assert facts["data fingerprint"] == "abc"
    assert len(facts["uv.lock sha256"]) == 16
    assert list(facts)[2:4] == ["seed (model)", "seed (search)"]
    assert facts["scikit-learn"] and facts["numpy"]
    missing = reproducibility_facts(lock_file=tmp_path / "nope.lock")
    assert missing["nope.lock sha256"] == "not found"


def test_fingerprint_frame_changes_with_values_and_dtypes():
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert fingerprint_frame(frame) == fingerprint_frame(frame.copy())
    assert fingerprint_frame(frame) != fingerprint_frame(frame.astype({"a": float}))
    assert fingerprint_frame(frame) != fingerprint_frame(frame.assign(b=["x", "z"]))


def test_markdown_table_formats_numbers_fixed():
    frame = pd.DataFrame({"n": [1200, 3], "auc": [0.71234, np.nan], "name": ["a", None]})
    text = markdown_table(frame, index=False)
    assert "| 1,200 | 0.712 | a      |" in text
    assert "|     3 |     – | –      |" in text


# --- the fitted flights pipeline, saved with skops and loaded back --------------------


@pytest.fixture(scope="module")
def flights_model():
    from mlstack.flights.data import task_data
    from mlstack.flights.pipelines import make_model

    X, y = task_data(sample=3000, random_state=1)
    return make_model("hgb", max_iter=20).fit(X, y), X


def test_skops_round_trip_with_explicit_trusted_types_gives_identical_predictions(
    flights_model, tmp_path
):
    model, X = flights_model
    trusted = save_model(model, tmp_path / "flights_late.skops")
    assert trusted == FLIGHTS_HGB_TRUSTED
    assert untrusted_types(tmp_path / "flights_late.skops") == FLIGHTS_HGB_TRUSTED
    loaded = load_model(tmp_path / "flights_late.skops", trusted=FLIGHTS_HGB_TRUSTED)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_saved_model_files_are_byte_identical(flights_model, tmp_path):
    model, _ = flights_model
    save_model(model, tmp_path / "a.skops")
    save_model(model, tmp_path / "b.skops")
    assert file_sha256(tmp_path / "a.skops") == file_sha256(tmp_path / "b.skops")


def test_loading_refuses_types_not_in_the_trusted_list(flights_model, tmp_path):
    model, _ = flights_model
    save_model(model, tmp_path / "m.skops")
    with pytest.raises(
        InputError, match=r"refusing to load untrusted types \['functools.partial'"
    ):
        load_model(tmp_path / "m.skops", trusted=FLIGHTS_HGB_TRUSTED[1:])


@pytest.mark.parametrize(
    ("content", "match"),
    [(None, "no such model file"), (b"not a zip", "not a skops model file")],
    ids=["missing", "not-skops"],
)
def test_loading_a_bad_file_is_an_input_error(tmp_path, content, match):
    path = tmp_path / "bad.skops"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=match):
        load_model(path, trusted=[])
