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
    "deployment_findings_sentence",
    "flights_frame",
    "late_model",
    "recap",
    "remaining_sentence",
    "run_analyst_script",
    "split_findings_sentence",
    "steps_sentence",
    "symptom_sentence",
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


# --- the sentences of notebook 11, built from its numbers -------------------------------


def symptom_sentence(valid_auc: float, test_auc: float) -> str:
    """The symptom in one sentence."""
    worse = " below the 0.5 of a coin" if test_auc < 0.5 else ""
    return (
        f"Validation says **{valid_auc:.3f}**; November-December says **{test_auc:.3f}**{worse}. "
        f"A gap of {valid_auc - test_auc:.3f} is never bad luck: the model leaned on something "
        "that validation had and deployment did not."
    )


def split_findings_sentence(found: dict[str, Any]) -> str:
    """What the audit of the analyst's validation split found."""
    parts = []
    if "duplicate_rows" in found:
        parts.append(
            f"**duplicate_rows**: {found['duplicate_rows'].evidence['share']:.0%} of the "
            "validation rows are copies of training rows, because the late flights were "
            "duplicated *before* the split; the model is graded on flights it memorized"
        )
    if "temporal_overlap" in found:
        parts.append(
            f"**temporal_overlap**: {found['temporal_overlap'].evidence['share_of_test_rows']:.0%} "
            "of the validation rows are not after the training period; the random split "
            "interleaves the months, while deployment always predicts the future"
        )
    if not parts:
        return "The audit finds no problem with the split itself."
    return "Problems with the split itself. " + ". ".join(parts) + "."


def deployment_findings_sentence(found: dict[str, Any]) -> str:
    """What the audit of training against deployment found: the proxy and the shift."""
    parts = []
    if "target_proxy" in found:
        proxy = found["target_proxy"]
        parts.append(
            f"**target_proxy** `{proxy.columns[0]}`: alone it reaches an AUC of "
            f"{proxy.evidence['train_score']:.3f} in training and "
            f"{proxy.evidence['test_score']:.3f} in deployment, where it keeps "
            f"{proxy.evidence['retained_on_test']:.0%} of its signal"
        )
    if "distribution_shift" in found:
        shift = found["distribution_shift"]
        parts.append(
            f"**distribution_shift**: a classifier tells deployment rows from training rows with "
            f"an AUC of {shift.evidence['auc']:.3f}, driven by {', '.join(shift.columns[:4])}"
        )
    return (
        ". ".join(parts)
        + ". A feature that is excellent in training and absent in production is the classic leak."
    )


def steps_sentence(steps: pd.Series) -> str:
    """What each removed source cost, from the validation AUCs of the ablation."""
    changes = steps.diff().dropna()
    return (
        "Each fix changes the validation AUC ("
        + "; ".join(f"*{step}*: {change:+.3f}" for step, change in changes.items())
        + f"). The largest single drop is *{changes.idxmin()}*; together the three sources "
        f"inflated the estimate by {-changes.sum():.3f}."
    )


def remaining_sentence(findings: list[Any]) -> str:
    """What the audit still reports once the leaks are gone: shift, named as such."""
    remaining = [f for f in findings if f.severity != "low"]
    if not remaining:
        return "Nothing of medium or high severity remains."
    return (
        "What remains is not leakage: "
        + ", ".join(f"`{f.kind}` ({', '.join(f.columns[:3])})" for f in remaining)
        + ". The weather of November and December is new to a model trained on January-October, "
        "so deployment differs from validation somewhat whatever we do; the audit names the "
        "shift so that nobody mistakes it for a leak."
    )


def recap(analyst: dict[str, Any], cv_auc: np.ndarray, test_auc: float) -> str:
    """The recap lines."""
    se = float(np.std(cv_auc, ddof=1) / np.sqrt(len(cv_auc)))
    return "\n".join(
        [
            f"- **Measured**: the analyst's validation AUC of {analyst['valid_auc']:.3f} fell to "
            f"{analyst['test_auc']:.3f} on the deployment months. After the fix, rolling monthly "
            f"cross-validation estimates {np.mean(cv_auc):.3f} (± {se:.3f} standard error over "
            f"{len(cv_auc)} folds) and the held-out months give {test_auc:.3f}.",
            "- **The sources**, named by the audit and the linter: columns measured after "
            "departure (`target_proxy`, `distribution_shift`), late flights duplicated before "
            "the split (`duplicate_rows`), a random split of time-ordered data "
            "(`temporal_overlap`), and a scaler fitted before the split (lint `AP3`, harmless for "
            "trees, not for linear models).",
            "- **In practice**: when validation and test disagree, audit the split before "
            "touching the model: `mlstack leakage --train ... --test ... --target ... --time ...`, "
            "then `mlstack lint` on the code. The runbook `runbooks/diagnose-data-leakage.md` lists "
            "the steps.",
            "- **Next**: the exit-test command (`mlstack exit-test`) runs the same audit on a new "
            "table and drops identifier columns and target proxies before it builds its pipeline.",
        ]
    )
