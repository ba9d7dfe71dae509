"""The mastery model's features and pipelines for the flights task.

One place decides which columns of :func:`mlstack.flights.data.task_frame` the model
may use and why the others are left out (:data:`EXCLUDED`, which the model
card prints), and builds the ``Pipeline`` of each model family on those
columns, so every notebook compares models on exactly the same features.

:func:`task_data` adds two features derived from the published schedule
(:func:`add_schedule_features`): how many departures the origin airport has
scheduled in the same hour and on the same day. They are counted over every
scheduled flight, including those later cancelled, because a cancellation is
not known when the schedule is.

Two preprocessors, one per model family:

``"linear"``
    For a logistic regression: numeric columns imputed (median, with a
    missing-value indicator) and standardized; categorical columns one-hot
    encoded, rare categories grouped. All of it is fitted inside the pipeline,
    so cross-validation never leaks statistics of a validation fold.
``"tree"``
    For gradient-boosted trees: columns passed through unchanged as a pandas
    frame, categoricals keeping their ``category`` dtype, which
    scikit-learn's ``HistGradientBoostingClassifier``, LightGBM and XGBoost
    all read natively (and missing values too).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlstack.errors import InputError

__all__ = [
    "CATEGORICAL",
    "EXCLUDED",
    "MODEL_NAMES",
    "NUMERIC",
    "SCHEDULE_FEATURES",
    "SEARCH_SPACE",
    "add_schedule_features",
    "feature_columns",
    "make_model",
    "make_preprocessor",
    "task_data",
]

#: Categorical features (pandas ``category`` dtype in :func:`mlstack.flights.data.task_frame`).
CATEGORICAL: tuple[str, ...] = (
    "carrier",
    "origin",
    "dest",
    "plane_type",
    "manufacturer",
    "engine",
)

#: Congestion features computed from the whole schedule by :func:`add_schedule_features`.
SCHEDULE_FEATURES: tuple[str, ...] = ("origin_hour_flights", "origin_day_flights")

#: Numeric features: schedule, route, weather at the origin, the aircraft.
NUMERIC: tuple[str, ...] = (
    "day_of_week",
    "hour",
    *SCHEDULE_FEATURES,
    "distance",
    "dest_lat",
    "dest_lon",
    "dest_alt",
    "temp",
    "dewp",
    "humid",
    "wind_dir",
    "wind_speed",
    "precip",
    "pressure",
    "visib",
    "plane_year",
    "seats",
    "engines",
)

_CALENDAR = (
    "position in the calendar: the test months (November, December) lie outside the "
    "training range, so the model could only extrapolate, and one year of data cannot "
    "teach yearly seasonality"
)
_POST = "measured after departure: this is leakage (it nearly gives the answer away)"

#: Columns of the task frame (and of the raw flights) that the model does not use, and why.
EXCLUDED = MappingProxyType(
    {
        "year": "constant (every flight is in 2013)",
        "month": _CALENDAR,
        "day": _CALENDAR,
        "day_of_year": _CALENDAR,
        "sched_dep": _CALENDAR + "; hour and day_of_week keep the time of day and week",
        "time_hour": _CALENDAR,
        "sched_dep_time": "duplicates hour (hour * 100 + minute)",
        "minute": "minute within the hour: no plausible effect, adds noise",
        "sched_arr_time": "follows from the departure hour and the distance",
        "tailnum": (
            "aircraft identifier (about 4,000 values): a model would memorize aircraft; "
            "the aircraft facts (year, seats, engines) stand in for it"
        ),
        "model": "aircraft model (over 100 values), mostly redundant with manufacturer and seats",
        "dest_tz": "redundant with dest_lon",
        "wind_gust": "missing for about three flights in four; wind_speed carries the wind",
        "dep_time": _POST,
        "dep_delay": _POST,
        "arr_time": _POST,
        "air_time": _POST,
        "cancelled": _POST,
        "arr_delay": "the target before thresholding",
        "flight": "flight number: an identifier",
    }
)

#: Model families :func:`make_model` builds.
MODEL_NAMES: tuple[str, ...] = ("dummy", "logistic", "hgb", "lightgbm", "xgboost")

#: The tuning space of the ``hgb`` pipeline (parameter names for the pipeline).
SEARCH_SPACE = MappingProxyType(
    {
        "model__learning_rate": [0.05, 0.2],
        "model__max_leaf_nodes": [7, 31],
        "model__min_samples_leaf": [20, 200],
    }
)


def feature_columns() -> list[str]:
    """Return the feature columns, categorical first, in a fixed order.

    Examples
    --------
    >>> cols = feature_columns()
    >>> len(cols), cols[0]
    (25, 'carrier')
    """
    return [*CATEGORICAL, *NUMERIC]


def add_schedule_features(X: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Add how busy the origin airport is scheduled to be, with two group-by counts.

    Parameters
    ----------
    X : pandas.DataFrame
        Flights with ``origin``, ``time_hour`` and ``sched_dep`` (e.g. from
        :func:`mlstack.flights.data.task_frame`).
    schedule : pandas.DataFrame
        Every scheduled flight (``mlstack.flights.data.load_table("flights")``),
        including the ones later cancelled.

    Returns
    -------
    pandas.DataFrame
        ``X`` with ``origin_hour_flights`` and ``origin_day_flights`` appended,
        rows in the same order.

    Examples
    --------
    >>> when = pd.to_datetime(["2013-01-01 05:00", "2013-01-01 05:30", "2013-01-01 09:00"])
    >>> flights = pd.DataFrame(
    ...     {"origin": ["EWR", "EWR", "EWR"], "sched_dep": when, "time_hour": when.floor("h")}
    ... )
    >>> add_schedule_features(flights, flights)[list(SCHEDULE_FEATURES)].to_numpy().tolist()
    [[2, 3], [2, 3], [1, 3]]
    """
    day = schedule["sched_dep"].dt.normalize().rename("sched_day")
    hourly = schedule.groupby(["origin", "time_hour"], observed=True).size()
    daily = schedule.groupby([schedule["origin"], day], observed=True).size()
    out = X.assign(sched_day=X["sched_dep"].dt.normalize())
    out = out.join(hourly.rename("origin_hour_flights"), on=["origin", "time_hour"])
    out = out.join(daily.rename("origin_day_flights"), on=["origin", "sched_day"])
    for col in SCHEDULE_FEATURES:
        out[col] = out[col].fillna(0).astype("int32")
    return out.drop(columns="sched_day")


def task_data(
    *, sample: int | None = None, random_state: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``X, y`` of the flights task with the schedule features added.

    :func:`mlstack.flights.data.task_frame` with weather, planes and airports joined,
    plus :func:`add_schedule_features` counted over the whole schedule (so a
    subsample still sees how busy each hour really was).

    Parameters
    ----------
    sample : int, optional
        Keep a random, still time-ordered subset of this many flights.
    random_state : int, default=0
        Seed of the subsample.
    """
    from mlstack.flights.data import load_table, task_frame

    X, y = task_frame(sample=sample, random_state=random_state)
    return add_schedule_features(X, load_table("flights")), y


def make_preprocessor(kind: str = "tree") -> ColumnTransformer:
    """Return the column preprocessing of a model family.

    Parameters
    ----------
    kind : {"tree", "linear"}, default="tree"
        ``"tree"`` selects the features and passes them through as a pandas
        frame (categoricals stay categorical); ``"linear"`` imputes, scales and
        one-hot encodes them.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted; columns not in :func:`feature_columns` are dropped.

    Examples
    --------
    >>> make_preprocessor("linear").transformers[0][0]
    'categorical'
    """
    if kind == "tree":
        return ColumnTransformer(
            [
                ("categorical", "passthrough", list(CATEGORICAL)),
                ("numeric", "passthrough", list(NUMERIC)),
            ],
            remainder="drop",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
    if kind == "linear":
        return ColumnTransformer(
            [
                (
                    "categorical",
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=100),
                    [*CATEGORICAL, "day_of_week"],
                ),
                (
                    "numeric",
                    make_pipeline(
                        SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                    ),
                    [col for col in NUMERIC if col != "day_of_week"],
                ),
            ],
            remainder="drop",
        )
    raise InputError(
        f"unknown preprocessor kind {kind!r}; choose 'tree' or 'linear'", parameter="kind"
    )


def make_model(name: str, *, random_state: int = 0, n_threads: int = 1, **params: Any) -> Pipeline:
    """Return an unfitted ``Pipeline(preprocess, model)`` of one model family.

    Parameters
    ----------
    name : {"dummy", "logistic", "hgb", "lightgbm", "xgboost"}
        The model family. The three boosting libraries get the same tree
        budget (100 trees, learning rate 0.1, at most 31 leaves, 255 bins),
        so their comparison is about the implementations.
    random_state : int, default=0
        Seed of the model.
    n_threads : int, default=1
        Threads of LightGBM and XGBoost (scikit-learn follows ``OMP_NUM_THREADS``).
    **params
        Overrides of the model's parameters (without the ``model__`` prefix).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``preprocess`` and ``model``.

    Examples
    --------
    >>> make_model("hgb").named_steps["model"].max_leaf_nodes
    31
    """
    if name == "dummy":
        from sklearn.dummy import DummyClassifier

        model = DummyClassifier(strategy="prior")
        kind = "tree"
    elif name == "logistic":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1.0, max_iter=1000)
        kind = "linear"
    elif name == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=100,
            max_leaf_nodes=31,
            early_stopping=False,
            categorical_features="from_dtype",
            random_state=random_state,
        )
        kind = "tree"
    elif name == "lightgbm":
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(
            n_estimators=100,
            learning_rate=0.1,
            num_leaves=31,
            max_bin=255,
            min_child_samples=20,
            n_jobs=n_threads,
            random_state=random_state,
            verbose=-1,
        )
        kind = "tree"
    elif name == "xgboost":
        from xgboost import XGBClassifier

        model = XGBClassifier(
            n_estimators=100,
            learning_rate=0.1,
            max_leaves=31,
            max_depth=0,
            grow_policy="lossguide",
            max_bin=255,
            tree_method="hist",
            enable_categorical=True,
            n_jobs=n_threads,
            random_state=random_state,
        )
        kind = "tree"
    else:
        raise InputError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}", parameter="name"
        )
    if params:
        model.set_params(**params)
    return Pipeline([("preprocess", make_preprocessor(kind)), ("model", model)])
