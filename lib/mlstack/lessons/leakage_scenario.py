"""The planted "great validation, terrible test" scenario of the diagnosis exercise.

An analyst builds a model that flags flights likely to arrive more than 15
minutes late. They train on the January-October export of the flights table,
which also holds columns measured after departure; balance the classes by
duplicating the late flights; standardize the numbers; and validate on a random
20% of the rows. Validation looks superb. In November and December the model
scores flights when they are *scheduled*, when nothing measured after departure
exists yet, and it does worse than a coin.

:data:`ANALYST_SCRIPT` is the analyst's code exactly as it runs
(:func:`run_analyst_script`), so the linter reads the code that produced the
numbers. :func:`late_model` is the analyst's model: every column passed through,
categories ordinal-encoded (the tail number too), dates dropped; it departs from
the feature policy on purpose. The fix uses the policy's model instead
(:func:`mlstack.flights.pipelines.make_model`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OrdinalEncoder

from mlstack.flights import data
from mlstack.flights.policy import POST_DEPARTURE

__all__ = [
    "ANALYST_SCRIPT",
    "at_scheduling_time",
    "flights_frame",
    "late_model",
    "run_analyst_script",
    "validation_auc",
]

#: The analyst's script, as shared. It receives ``flights`` (the January-October export)
#: and ``deployment`` (November-December as seen at scheduling time).
ANALYST_SCRIPT = """\
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mlstack.lessons.leakage_scenario import late_model

# balance the classes: one more copy of every late flight
flights = pd.concat([flights, flights[flights["late"]]], ignore_index=True)
numeric = flights.select_dtypes("number").columns
scaler = StandardScaler()
flights[numeric] = scaler.fit_transform(flights[numeric])
train, valid = train_test_split(flights, test_size=0.2, random_state=0)
features = [c for c in flights.columns if c != "late"]
model = late_model().fit(train[features], train["late"])
valid_auc = roc_auc_score(valid["late"], model.predict_proba(valid[features])[:, 1])

# deployment: score the November-December flights as they are scheduled
deployment[numeric] = scaler.transform(deployment[numeric])
test_auc = roc_auc_score(deployment["late"], model.predict_proba(deployment[features])[:, 1])
"""


def flights_frame(sample_rows: int | None = None, random_state: int = 0) -> pd.DataFrame:
    """The task's flights of the whole year with every column an export would have, and ``late``.

    Rows are in scheduled-departure order; ``sample_rows`` keeps a random subset.
    The columns are those of :func:`mlstack.flights.data.task_data` (with the
    schedule counts) plus the post-departure ones.

    Examples
    --------
    >>> frame = flights_frame(sample_rows=500)
    >>> frame.shape[0], "dep_delay" in frame, frame["late"].dtype
    (500, True, dtype('bool'))
    """
    X, y = data.task_data(
        include_leaky=True, period="all", sample=sample_rows, random_state=random_state
    )
    return X.drop(columns="cancelled").assign(late=y)


def at_scheduling_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as a model sees it when a flight is scheduled: nothing after departure."""
    return frame.assign(**{column: np.nan for column in POST_DEPARTURE if column in frame})


def late_model(random_state: int = 0) -> Pipeline:
    """The analyst's gradient-boosting pipeline: every column, categories ordinal-encoded.

    Trees need no scaling; unseen categories and missing values are handled. It
    departs from the feature policy on purpose (it learns from whatever columns it
    is given, the tail number and the calendar included): it is the analyst's model.

    Examples
    --------
    >>> frame = flights_frame(sample_rows=2000)
    >>> model = late_model().fit(frame.drop(columns="late"), frame["late"])
    >>> model.predict_proba(frame.drop(columns="late")).shape
    (2000, 2)
    """
    encode = make_column_transformer(
        (
            OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-2,
            ),
            make_column_selector(dtype_include="category"),
        ),
        ("drop", make_column_selector(dtype_include=["datetime", "datetimetz"])),
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    model = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, early_stopping=False, random_state=random_state
    )
    return make_pipeline(encode, model)


def validation_auc(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    features: list[str],
    *,
    target: str = "late",
    random_state: int = 0,
) -> float:
    """Fit :func:`late_model` on ``train`` and return its ROC AUC on ``valid``.

    Examples
    --------
    >>> frame = flights_frame(sample_rows=3000)
    >>> early, late = frame[frame["month"] <= 8], frame[frame["month"] > 8]
    >>> 0.5 < validation_auc(early, late, ["hour", "carrier", "distance"]) < 1
    True
    """
    model = late_model(random_state).fit(train[features], train[target])
    return float(roc_auc_score(valid[target], model.predict_proba(valid[features])[:, 1]))


def run_analyst_script(flights: pd.DataFrame, deployment: pd.DataFrame) -> dict[str, Any]:
    """Run :data:`ANALYST_SCRIPT` on copies of the inputs and return its variables.

    Returns
    -------
    dict
        The script's namespace: ``train``, ``valid``, ``model``, ``valid_auc``,
        ``test_auc``...
    """
    namespace: dict[str, Any] = {"flights": flights.copy(), "deployment": deployment.copy()}
    exec(compile(ANALYST_SCRIPT, "analyst_script.py", "exec"), namespace)
    namespace.pop("__builtins__", None)
    return namespace
