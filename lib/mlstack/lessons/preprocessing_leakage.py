"""Measure what fitting preprocessing on the wrong rows costs.

Two anti-patterns of the syllabus, each with the right way beside it:

AP3, *preprocessing fitted before the split*
    A scaler, an encoder or any fitted transformer learns statistics from
    training **and** test rows, then the model trains on the training rows.
    :func:`score_fit_on_all_data` does exactly that (on purpose);
    :func:`score_in_pipeline` is the right way, and
    :func:`leak_over_resamples` measures the gap between the two over many
    small training sets, where it is largest.
AP5, *fit_transform on test data*
    The preprocessing is refitted on the rows being scored, so each batch is
    scaled by its own statistics instead of the training ones.
    :func:`score_refit_on_test` measures the score when that happens, batch by
    batch, as a serving system would do it.

The scores use a scikit-learn scorer on the model's continuous output, so the
functions work for any classifier with ``decision_function`` or
``predict_proba``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline

from mlstack.metrics.bootstrap import paired_bootstrap_differences
from mlstack.metrics.comparison import Verdict, compare_repeats, verdict_from_interval
from mlstack.utils.rows import take_rows

__all__ = [
    "bucketed",
    "cardinality_leak",
    "cardinality_sentence",
    "compare_to_right",
    "refit_sentence",
    "leak_sentence",
    "leak_over_resamples",
    "leak_verdicts",
    "predict_fit_on_all_data",
    "predict_in_pipeline",
    "predict_refit_on_test",
    "score_fit_on_all_data",
    "score_in_pipeline",
    "score_refit_on_test",
]


def _concat(a: Any, b: Any) -> Any:
    if isinstance(a, pd.DataFrame | pd.Series):
        return pd.concat([a, b], ignore_index=True)
    return np.concatenate([np.asarray(a), np.asarray(b)])


def _positive_score(model: Any, X: Any) -> np.ndarray:
    """The model's continuous output for the positive class (what ROC AUC ranks)."""
    if hasattr(model, "decision_function"):
        return np.asarray(model.decision_function(X))
    return np.asarray(model.predict_proba(X))[:, 1]


def predict_in_pipeline(
    preprocessor: Any, model: Any, X_train: Any, y_train: Any, X_test: Any
) -> np.ndarray:
    """Fit ``make_pipeline(preprocessor, model)`` on the training rows; score the test rows.

    The right way; returns the positive-class scores of the test rows, for a
    paired comparison with :func:`predict_fit_on_all_data` on the same rows.
    """
    pipeline = make_pipeline(clone(preprocessor), clone(model)).fit(X_train, y_train)
    return _positive_score(pipeline, X_test)


def predict_fit_on_all_data(
    preprocessor: Any, model: Any, X_train: Any, y_train: Any, X_test: Any, y_test: Any
) -> np.ndarray:
    """Anti-pattern AP3 (see :func:`score_fit_on_all_data`); returns the test rows' scores."""
    prep = clone(preprocessor).fit(_concat(X_train, X_test), _concat(y_train, y_test))
    fitted = clone(model).fit(prep.transform(X_train), y_train)
    return _positive_score(fitted, prep.transform(X_test))


def score_in_pipeline(
    preprocessor: Any,
    model: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    scoring: str = "roc_auc",
) -> float:
    """Fit ``make_pipeline(preprocessor, model)`` on the training rows; score it on the test rows.

    The preprocessing learns only from the training rows: the right way.

    Parameters
    ----------
    preprocessor : transformer
        Unfitted; it is cloned.
    model : estimator
        Unfitted; it is cloned.
    X_train, y_train, X_test, y_test : array-like
        The two sides of the split.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float
    """
    pipeline = make_pipeline(clone(preprocessor), clone(model)).fit(X_train, y_train)
    return float(get_scorer(scoring)(pipeline, X_test, y_test))


def score_fit_on_all_data(
    preprocessor: Any,
    model: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    scoring: str = "roc_auc",
) -> float:
    """Anti-pattern AP3: fit the preprocessing on train and test rows together.

    The preprocessor is fitted on the concatenation of both sides (with both
    targets, so a target encoder sees the test labels), then the model is
    fitted on the transformed training rows and scored on the transformed
    test rows. This is what "scale (or encode) first, split later" does.

    .. warning::
        This function exists to measure a mistake. Put the preprocessing in a
        :class:`~sklearn.pipeline.Pipeline` instead (:func:`score_in_pipeline`).

    Parameters
    ----------
    preprocessor : transformer
        Unfitted; it is cloned.
    model : estimator
        Unfitted; it is cloned.
    X_train, y_train, X_test, y_test : array-like
        The two sides of the split.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> leaky = score_fit_on_all_data(
    ...     StandardScaler(), LogisticRegression(), X[:200], y[:200], X[200:], y[200:]
    ... )
    >>> clean = score_in_pipeline(
    ...     StandardScaler(), LogisticRegression(), X[:200], y[:200], X[200:], y[200:]
    ... )
    >>> abs(leaky - clean) < 0.01  # a scaler leaks little on 200 rows
    True
    """
    prep = clone(preprocessor).fit(_concat(X_train, X_test), _concat(y_train, y_test))
    fitted = clone(model).fit(prep.transform(X_train), y_train)
    return float(get_scorer(scoring)(fitted, prep.transform(X_test), y_test))


def leak_over_resamples(
    preprocessor: Any,
    model: Any,
    X_pool: Any,
    y_pool: Any,
    X_test: Any,
    y_test: Any,
    *,
    train_sizes: list[int] | tuple[int, ...],
    n_repeats: int = 20,
    random_state: int = 0,
    scoring: str = "roc_auc",
) -> pd.DataFrame:
    """Score the leaky and the pipeline workflow on many small training sets.

    For each size ``n`` in ``train_sizes``, ``n_repeats`` stratified random
    training sets of ``n`` rows are drawn from the pool; both workflows are
    fitted on the same rows and scored on the same fixed test rows, so the
    difference is paired.

    Parameters
    ----------
    preprocessor, model : estimators
        Unfitted; cloned for every fit.
    X_pool, y_pool : array-like
        Rows to draw training sets from.
    X_test, y_test : array-like
        The fixed test rows (the leaky workflow also fits its preprocessing on them).
    train_sizes : sequence of int
        Training-set sizes, each smaller than the pool.
    n_repeats : int, default=20
        Training sets per size.
    random_state : int, default=0
        Seed of the draws.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    pandas.DataFrame
        One row per (size, repeat): ``n_train``, ``repeat``, ``pipeline``,
        ``fit on all data`` and ``leak`` (the latter minus the former).
    """
    records = []
    for n_train in train_sizes:
        draws = StratifiedShuffleSplit(
            n_splits=n_repeats, train_size=n_train, random_state=random_state + n_train
        )
        for repeat, (rows, _) in enumerate(draws.split(np.zeros(len(y_pool)), y_pool)):
            X_train, y_train = take_rows(X_pool, rows), take_rows(y_pool, rows)
            args = (preprocessor, model, X_train, y_train, X_test, y_test)
            clean = score_in_pipeline(*args, scoring=scoring)
            leaky = score_fit_on_all_data(*args, scoring=scoring)
            records.append(
                {
                    "n_train": n_train,
                    "repeat": repeat,
                    "pipeline": clean,
                    "fit on all data": leaky,
                    "leak": leaky - clean,
                }
            )
    return pd.DataFrame.from_records(records)


def leak_verdicts(leaks: pd.DataFrame, *, rope: float | None = None) -> pd.DataFrame:
    """Judge the leak at each training size against its own standard error.

    Parameters
    ----------
    leaks : pandas.DataFrame
        :func:`leak_over_resamples`: one paired difference per training set.
    rope : float, optional
        Leaks smaller than this are of no practical importance (``equivalent``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_train``: ``mean leak``, ``standard error``, ``low``,
        ``high`` (95% paired t-interval over the training sets), ``verdict``
        and ``sentence`` (:class:`~mlstack.metrics.comparison.Verdict`).

    Examples
    --------
    >>> leaks = pd.DataFrame({"n_train": [30] * 4, "leak": [0.01, -0.01, 0.004, -0.002]})
    >>> leak_verdicts(leaks).loc[30, "verdict"]
    'indistinguishable'
    """
    rows = {}
    for n_train, part in leaks.groupby("n_train"):
        verdict = compare_repeats(
            part["leak"].to_numpy(),
            unit=f"training sets of {n_train}",
            rope=rope,
            names=("fitted on all data", "the pipeline"),
        )
        rows[n_train] = {
            "mean leak": verdict.difference,
            "standard error": float(part["leak"].std(ddof=1) / np.sqrt(len(part))),
            "low": verdict.low,
            "high": verdict.high,
            "verdict": verdict.verdict,
            "sentence": verdict.sentence(),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("n_train")


def bucketed(codes: Any, k: int | None) -> pd.Series:
    """Group integer category codes into ``k`` buckets (``codes % k``), as strings.

    The same column at a controlled cardinality: ``k=None`` keeps every
    category. Missing codes (negative) stay missing.

    Examples
    --------
    >>> bucketed([0, 1, 5, 6, -1], 5).tolist()
    ['0', '1', '0', '1', nan]
    """
    codes = np.asarray(codes)
    values = codes if k is None else codes % k
    return pd.Series(np.where(codes < 0, None, values.astype(str)), dtype=object).where(codes >= 0)


def cardinality_leak(
    encoder: Any,
    model: Any,
    codes_train: Any,
    y_train: Any,
    codes_valid: Any,
    y_valid: Any,
    *,
    levels: list[int | None],
    groups: Any,
    unit: str = "days",
    n_resamples: int = 1000,
    random_state: int = 0,
) -> tuple[pd.DataFrame, Verdict | None]:
    """The target-encoding leak at several cardinalities of the same column.

    For each ``k`` in ``levels`` the column is cut to ``k`` categories
    (:func:`bucketed`), and the encoder is fitted once in a pipeline and once
    on training plus validation rows (AP3). The leak is the leaky workflow's
    validation ROC AUC minus the pipeline's, with a paired bootstrap interval
    over ``groups`` (the validation rows' days). Every ``k`` uses the same
    resamples, so the leak at the highest and at the lowest cardinality can
    be compared resample by resample: does the leak grow with cardinality?

    Returns
    -------
    table : pandas.DataFrame
        Indexed by categories: ``pipeline`` and ``fit on all data`` (ROC AUC),
        ``leak``, ``low``, ``high`` and ``verdict``.
    growth : Verdict or None
        The leak at the highest cardinality against the leak at the lowest
        (None with fewer than two levels).
    """
    from sklearn.metrics import roc_auc_score

    rows, replicates, labels = {}, {}, []
    for k in levels:
        train = bucketed(codes_train, k).to_frame("category")
        valid = bucketed(codes_valid, k).to_frame("category")
        label = int(train["category"].nunique()) if k is None else k
        clean = predict_in_pipeline(encoder, model, train, y_train, valid)
        leaky = predict_fit_on_all_data(encoder, model, train, y_train, valid, y_valid)
        diff, reps = paired_bootstrap_differences(
            y_valid,
            leaky,
            clean,
            "roc_auc",
            groups=groups,
            n_resamples=n_resamples,
            random_state=random_state,
        )
        low, high = np.quantile(reps, [0.025, 0.975])
        rows[label] = {
            "pipeline": roc_auc_score(y_valid, clean),
            "fit on all data": roc_auc_score(y_valid, leaky),
            "leak": diff,
            "low": float(low),
            "high": float(high),
            "verdict": verdict_from_interval(float(low), float(high)),
        }
        replicates[label] = reps
        labels.append(label)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("categories")
    if len(labels) < 2:
        return table, None
    lowest, highest = min(labels), max(labels)
    growth = replicates[highest] - replicates[lowest]
    g_low, g_high = (float(v) for v in np.quantile(growth, [0.025, 0.975]))
    n_units = len(pd.unique(np.asarray(groups)))
    verdict = Verdict(
        verdict_from_interval(g_low, g_high),
        float(rows[highest]["leak"] - rows[lowest]["leak"]),
        g_low,
        g_high,
        0.95,
        f"paired bootstrap of {n_units:,} {unit}, {n_resamples} resamples",
        names=(f"the leak with {highest:,} categories", f"the leak with {lowest:,}"),
    )
    return table, verdict


def predict_refit_on_test(
    pipeline: Pipeline, X_test: Any, *, batch_size: int | None = None
) -> np.ndarray:
    """Anti-pattern AP5 (see :func:`score_refit_on_test`); returns the scores of the test rows."""
    preprocessing, model = pipeline[:-1], pipeline[-1]
    n_rows = len(X_test)
    n_batches = 1 if batch_size is None else max(1, -(-n_rows // batch_size))
    parts = [
        clone(preprocessing).fit_transform(take_rows(X_test, rows))
        for rows in np.array_split(np.arange(n_rows), n_batches)
    ]
    return _positive_score(model, np.vstack([np.asarray(part) for part in parts]))


def score_refit_on_test(
    pipeline: Pipeline,
    X_test: Any,
    y_test: Any,
    *,
    batch_size: int | None = None,
    scoring: str = "roc_auc",
) -> float:
    """Anti-pattern AP5: score a fitted pipeline after refitting its preprocessing on the test rows.

    Every step but the last is cloned and refitted with ``fit_transform`` on
    each batch of test rows (in order); the fitted final estimator then scores
    the concatenated result. With ``batch_size=None`` the whole test set is
    one batch; a small batch mimics a service that "standardizes the request".

    .. warning::
        This function exists to measure a mistake. At prediction time call
        ``pipeline.predict(X)`` (or ``transform``), which reuses the statistics
        learned on the training data.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline whose last step is the model.
    X_test, y_test : array-like
        Rows to score, in the order they would arrive.
    batch_size : int, optional
        Rows per refit; the whole test set when None.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float
    """
    preprocessing, model = pipeline[:-1], pipeline[-1]
    n_rows = len(y_test)
    n_batches = 1 if batch_size is None else max(1, -(-n_rows // batch_size))
    parts = []
    for rows in np.array_split(np.arange(n_rows), n_batches):
        parts.append(clone(preprocessing).fit_transform(take_rows(X_test, rows)))
    transformed = np.vstack([np.asarray(part) for part in parts])
    return float(get_scorer(scoring)(model, transformed, y_test))


def _words(verdict: str) -> str:
    return {
        "better": "a real inflation",
        "worse": "a real deflation",
        "indistinguishable": "indistinguishable from no leak",
        "equivalent": "equivalent to no leak",
    }[verdict]


def leak_sentence(table: pd.DataFrame, what: str) -> str:
    """Say the leak at the smallest and largest training size, against its own uncertainty.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`leak_verdicts`.
    what : str
        The workflow, e.g. ``"A scaler fitted on all rows"``.

    Examples
    --------
    >>> leaks = pd.DataFrame({"n_train": [30] * 4 + [300] * 4,
    ...                       "leak": [0.01, -0.01, 0.004, -0.002, 0.1, 0.12, 0.11, 0.09]})
    >>> print(leak_sentence(leak_verdicts(leaks), "A target encoder fitted on all rows"))
    A target encoder fitted on all rows changed ROC AUC by +0.001 (standard error 0.004, 95% interval [-0.013, +0.014]) with 30 training flights: indistinguishable from no leak; and by +0.105 (standard error 0.006, 95% interval [+0.084, +0.126]) with 300: a real inflation.
    """
    parts = []
    for n_train in (table.index.min(), table.index.max()):
        row = table.loc[n_train]
        parts.append(
            f"by {row['mean leak']:+.3f} (standard error {row['standard error']:.3f}, 95% interval "
            f"[{row['low']:+.3f}, {row['high']:+.3f}]) with {n_train:,}"
            + (" training flights" if not parts else "")
            + f": {_words(row['verdict'])}"
        )
        if table.index.min() == table.index.max():
            break
    return f"{what} changed ROC AUC " + "; and ".join(parts) + "."


def cardinality_sentence(table: pd.DataFrame, growth: Verdict | None) -> str:
    """Say whether the target-encoding leak grew with the cardinality, from the growth verdict."""
    levels = list(table.index)
    shown = ", ".join(
        f"{k:,} categories {table.loc[k, 'leak']:+.3f} [{table.loc[k, 'low']:+.3f}, "
        f"{table.loc[k, 'high']:+.3f}]"
        for k in levels
    )
    text = f"Leak of the target encoder fitted on all rows, by cardinality: {shown}."
    if growth is None:
        return text
    if growth.verdict == "better":
        return text + (
            f" It grows with the cardinality: {growth.sentence()}. With fewer flights per "
            "category, each validation flight's own label weighs more in the mean that becomes "
            "its feature."
        )
    if growth.verdict == "worse":
        return text + f" It shrinks as the cardinality grows: {growth.sentence()}."
    return text + (f" It does not grow measurably with the cardinality here: {growth.sentence()}.")


def compare_to_right(
    y: Any,
    right: np.ndarray,
    variants: dict[str, np.ndarray],
    *,
    groups: Any,
    unit: str = "days",
    n_resamples: int = 1000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Score the right way and each variant on the same rows; judge each against the right way.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``"transform (right)"`` and the variants: ``ROC AUC``, and
        for each variant ``difference``, ``low``, ``high`` (paired bootstrap
        over ``groups``) and ``verdict`` (variant against the right way).
    """
    from sklearn.metrics import roc_auc_score

    from mlstack.metrics.comparison import compare_on_rows

    rows = {"transform (right)": {"ROC AUC": roc_auc_score(y, right)}}
    for name, scores in variants.items():
        verdict = compare_on_rows(
            y,
            scores,
            right,
            groups=groups,
            unit=unit,
            n_resamples=n_resamples,
            random_state=random_state,
        )
        rows[name] = {
            "ROC AUC": roc_auc_score(y, scores),
            "difference": verdict.difference,
            "low": verdict.low,
            "high": verdict.high,
            "verdict": verdict.verdict,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def refit_sentence(table: pd.DataFrame) -> str:
    """Say which ways of refitting on the scored rows hurt measurably, from :func:`compare_to_right`."""
    variants = table.drop(index="transform (right)")
    groups = {
        verdict: list(variants.index[variants["verdict"].eq(verdict)])
        for verdict in ("worse", "indistinguishable", "better", "equivalent")
    }
    parts = []
    if groups["worse"]:
        parts.append(f"worse than the right way: {', '.join(groups['worse'])}")
    if groups["indistinguishable"]:
        parts.append(f"indistinguishable from it: {', '.join(groups['indistinguishable'])}")
    if groups["better"]:
        parts.append(f"better than it, by chance or shift: {', '.join(groups['better'])}")
    return "Against `transform` on the same days: " + "; ".join(parts) + "."
