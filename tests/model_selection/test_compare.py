import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from mlstack.model_selection.compare import fit_and_score


@pytest.fixture(scope="module")
def split():
    X, y = make_classification(n_samples=300, n_informative=4, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


def test_one_row_per_model_in_order(split):
    models = {"logistic": LogisticRegression(), "dummy": DummyClassifier()}
    table = fit_and_score(models, *split)
    assert list(table.index) == ["logistic", "dummy"]
    assert list(table.columns) == ["fit seconds", "train roc_auc", "valid roc_auc"]
    assert table.loc["dummy", "valid roc_auc"] == 0.5
    assert table.loc["logistic", "valid roc_auc"] > 0.8
    assert (table["fit seconds"] >= 0).all()


def test_originals_stay_unfitted(split):
    model = LogisticRegression()
    fit_and_score({"m": model}, *split)
    assert not hasattr(model, "coef_")


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss"], ids=["accuracy", "neg-log-loss"])
def test_scoring_names_the_columns(split, scoring):
    table = fit_and_score({"m": LogisticRegression()}, *split, scoring=scoring)
    assert f"valid {scoring}" in table.columns
