import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlstack.model_selection.curves import learning_curve_frame, validation_curve_frame


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=500, n_informative=3, flip_y=0.1, random_state=0)
    rng = np.random.default_rng(0)
    cv = [(rng.permutation(400), np.arange(400, 500)) for _ in range(3)]
    return X, y, cv


def test_learning_curve_frame_is_long_and_positive(data):
    X, y, cv = data
    frame = learning_curve_frame(LogisticRegression(), X, y, cv=cv, train_sizes=[50, 400])
    assert len(frame) == 2 * 3 * 2
    assert set(frame["side"]) == {"training", "validation"}
    assert (frame["error"] >= 0).all()
    assert sorted(frame["n_train"].unique()) == [50, 400]


def test_validation_curve_shows_overfitting(data):
    X, y, cv = data
    frame = validation_curve_frame(
        DecisionTreeClassifier(random_state=0),
        X,
        y,
        param_name="max_depth",
        param_range=[1, 20],
        cv=cv,
    )
    mean = frame.groupby(["max_depth", "side"])["error"].mean()
    assert mean[20, "training"] < mean[1, "training"]
    assert mean[20, "validation"] - mean[20, "training"] > 0.05


@pytest.mark.parametrize("func", ["learning", "validation"], ids=["learning", "validation"])
def test_score_scorers_are_rejected(data, func):
    X, y, cv = data
    with pytest.raises(ValueError, match="error scorer named 'neg_"):
        if func == "learning":
            learning_curve_frame(
                LogisticRegression(), X, y, cv=cv, train_sizes=[50], scoring="roc_auc"
            )
        else:
            validation_curve_frame(
                LogisticRegression(),
                X,
                y,
                param_name="C",
                param_range=[1.0],
                cv=cv,
                scoring="roc_auc",
            )
