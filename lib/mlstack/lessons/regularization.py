"""L1 and L2 regularization paths of a logistic regression.

Regularization trades fit on the training rows for stability: a penalty on the
size of the coefficients, weighted by ``1 / C``. The L2 penalty shrinks every
coefficient smoothly towards zero; the L1 penalty sets coefficients exactly to
zero one after the other, so it also selects features.
:func:`logistic_paths` fits both across a grid of strengths and returns the
coefficients (for a path plot) and a summary (sparsity and scores);
:func:`plot_coefficient_paths` draws the paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

__all__ = ["PENALTIES", "logistic_paths", "penalized_logistic", "plot_coefficient_paths"]

# liblinear (fast for both penalties at this size) penalizes the intercept like a
# coefficient; a large intercept_scaling makes that penalty negligible, so a very strong
# penalty falls back to predicting the base rate, as for an unpenalized intercept.
_INTERCEPT_SCALING = 100.0

#: ``l1_ratio`` of each named penalty (scikit-learn >= 1.8 spells the penalty this way).
PENALTIES: Mapping[str, float] = {"L1": 1.0, "L2": 0.0}


def penalized_logistic(C: float, penalty: str, *, random_state: int = 0) -> LogisticRegression:
    """The logistic regression :func:`logistic_paths` fits for one ``C`` and named penalty.

    Use it to refit a strength chosen on the path, to score it elsewhere.

    Examples
    --------
    >>> penalized_logistic(0.1, "L1").get_params()["l1_ratio"]
    1.0
    """
    return LogisticRegression(
        C=C,
        l1_ratio=PENALTIES[penalty],
        solver="liblinear",
        intercept_scaling=_INTERCEPT_SCALING,
        random_state=random_state,
    )


def logistic_paths(
    preprocessor: Any,
    X_train: Any,
    y_train: Any,
    X_valid: Any,
    y_valid: Any,
    *,
    Cs: Sequence[float],
    penalties: Mapping[str, float] = PENALTIES,
    zero_tol: float = 1e-10,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit L1 and L2 logistic regressions over a grid of ``C`` and record what changes.

    The preprocessor is fitted once, on the training rows only (the same
    thing a pipeline would do for every fit, without repeating the work), and
    its ``get_feature_names_out`` names the coefficients.

    Parameters
    ----------
    preprocessor : transformer
        Unfitted; cloned and fitted on ``X_train``. It should standardize the
        numeric columns, or the penalty weighs features by their units.
    X_train, y_train : array-like
        Training rows.
    X_valid, y_valid : array-like
        Validation rows, for the scores.
    Cs : sequence of float
        Inverse regularization strengths (small ``C`` = strong penalty).
    penalties : mapping of str to float, default=PENALTIES
        Name and ``l1_ratio`` of each penalty.
    zero_tol : float, default=1e-10
        A coefficient with a smaller absolute value counts as zero.
    random_state : int, default=0
        Seed of liblinear's coordinate order; fixed, so the path is reproducible.

    Notes
    -----
    The solver is liblinear, fast for both penalties on tens of thousands of
    rows. It penalizes the intercept too; ``intercept_scaling=100`` makes that
    negligible, so the strongest penalties predict the base rate.

    Returns
    -------
    coefs : pandas.DataFrame
        Indexed by ``(penalty, C)``, one column per feature.
    summary : pandas.DataFrame
        Indexed by ``(penalty, C)``: ``nonzero`` coefficients, ``train Brier``,
        ``valid Brier`` and ``valid ROC AUC``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = make_classification(n_samples=400, n_features=20, n_informative=3, random_state=0)
    >>> coefs, summary = logistic_paths(
    ...     StandardScaler(), X[:300], y[:300], X[300:], y[300:], Cs=[0.05, 1.0]
    ... )
    >>> summary["nonzero"].to_dict()
    {('L1', 0.05): 1, ('L1', 1.0): 18, ('L2', 0.05): 20, ('L2', 1.0): 20}
    """
    prep = clone(preprocessor).fit(X_train, y_train)
    Z_train, Z_valid = prep.transform(X_train), prep.transform(X_valid)
    names = list(prep.get_feature_names_out())
    coef_rows, summary_rows, index = [], [], []
    for penalty, l1_ratio in penalties.items():
        for C in Cs:
            model = LogisticRegression(
                C=C,
                l1_ratio=l1_ratio,
                solver="liblinear",
                intercept_scaling=_INTERCEPT_SCALING,
                random_state=random_state,
            )  # as penalized_logistic, for any l1_ratio
            model.fit(Z_train, y_train)
            coef = model.coef_.ravel()
            p_train = model.predict_proba(Z_train)[:, 1]
            p_valid = model.predict_proba(Z_valid)[:, 1]
            index.append((penalty, float(C)))
            coef_rows.append(coef)
            summary_rows.append(
                {
                    "nonzero": int(np.sum(np.abs(coef) > zero_tol)),
                    "train Brier": brier_score_loss(y_train, p_train),
                    "valid Brier": brier_score_loss(y_valid, p_valid),
                    "valid ROC AUC": roc_auc_score(y_valid, p_valid),
                }
            )
    multi = pd.MultiIndex.from_tuples(index, names=["penalty", "C"])
    coefs = pd.DataFrame(np.vstack(coef_rows), index=multi, columns=names)
    return coefs, pd.DataFrame(summary_rows, index=multi)


def plot_coefficient_paths(
    coefs: pd.DataFrame, *, highlight: Sequence[str] = (), axes: Any = None
) -> Any:
    """Plot each coefficient against ``C``, one panel per penalty.

    Parameters
    ----------
    coefs : pandas.DataFrame
        The first result of :func:`logistic_paths`.
    highlight : sequence of str, default=()
        Features drawn in colour with a legend; the others are thin grey lines.
    axes : sequence of matplotlib Axes, optional
        One per penalty; a new figure when None.

    Returns
    -------
    ndarray of matplotlib Axes
    """
    penalties = list(dict.fromkeys(coefs.index.get_level_values("penalty")))
    if axes is None:
        _, axes = plt.subplots(1, len(penalties), figsize=(11, 4.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, penalty in zip(axes, penalties, strict=True):
        path = coefs.loc[penalty]
        others = [name for name in path.columns if name not in highlight]
        ax.plot(path.index, path[others], color="0.75", linewidth=0.7)
        for name in highlight:
            ax.plot(path.index, path[name], linewidth=1.6, label=name)
        ax.set_xscale("log")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set(
            title=f"{penalty} penalty",
            xlabel="C, inverse regularization strength (log scale)",
        )
    axes[0].set_ylabel("coefficient (per standard deviation of the feature)")
    return axes
