import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from mlstack.model_selection.compare import fit_and_predict, fit_and_score


@pytest.fixture(scope="module")
def split():
    X, y = make_classification(n_samples=300, n_informative=4, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


def test_one_row_per_model_in_order(split):
    models = {"logistic": LogisticRegression(), "dummy": DummyClassifier()}
    table = fit_and_score(models, *split)
    assert list(table.index) == ["logistic", "dummy"]
    assert list(table.columns) == ["train roc_auc", "valid roc_auc"]
    assert table.loc["dummy", "valid roc_auc"] == 0.5
    assert table.loc["logistic", "valid roc_auc"] > 0.8


def test_fit_and_predict_scores_what_fit_and_score_scores(split):
    from sklearn.metrics import roc_auc_score
    from sklearn.tree import DecisionTreeClassifier

    models = {"logistic": LogisticRegression(), "tree": DecisionTreeClassifier(random_state=0)}
    fitted, scores = fit_and_predict(models, *split[:3])
    table = fit_and_score(models, *split)
    for name in models:
        assert roc_auc_score(split[3], scores[name]) == pytest.approx(
            table.loc[name, "valid roc_auc"]
        )
    assert hasattr(fitted["logistic"], "coef_")


def test_originals_stay_unfitted(split):
    model = LogisticRegression()
    fit_and_score({"m": model}, *split)
    assert not hasattr(model, "coef_")


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss"], ids=["accuracy", "neg-log-loss"])
def test_scoring_names_the_columns(split, scoring):
    table = fit_and_score({"m": LogisticRegression()}, *split, scoring=scoring)
    assert f"valid {scoring}" in table.columns
