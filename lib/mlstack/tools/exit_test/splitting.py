"""Hold out the test set first, then cut the training part into cross-validation folds.

Both respect how rows relate: by time (the test set and each validation fold come
after what they are compared with), by group (an entity is on one side only), or
stratified by class.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from mlstack.errors import InputError

__all__ = [
    "MIN_SPLITS",
    "MIN_TEST_ROWS",
    "MIN_TRAIN_ROWS",
    "TEST_SIZE",
    "carve_test",
    "check_class_sizes",
    "check_group_count",
    "cv_splits",
    "n_splits_for",
]

TEST_SIZE = 0.2
# Cross-validation uses 10 folds on tables up to MANY_ROWS training rows (tighter
# paired comparisons, for little time) and 5 beyond, or when classes or groups are few.
MIN_SPLITS = 5
MAX_SPLITS = 10
MANY_ROWS = 5_000
# Below these, a cross-validated estimate and a test score are mostly noise.
MIN_TRAIN_ROWS = 8 * MIN_SPLITS
MIN_TEST_ROWS = 10


def carve_test(
    frame: pd.DataFrame, target: str, task: str, time: str | None, group: str | None, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Hold out the test set of a table the way the exit test does, before anything else.

    Parameters
    ----------
    frame : pandas.DataFrame
        The whole table.
    target : str
        The target column (stratifies a classification split).
    task : {"binary", "multiclass", "regression"}
    time, group : str or None
        With ``time``, the last 20% of rows in time are the test set; with
        ``group``, 20% of the groups with all their rows; otherwise a
        (stratified) random 20%.
    seed : int
        Seed of the random and group splits.

    Returns
    -------
    train, test : pandas.DataFrame
    how : str
        One sentence saying how the split was made and why, for the report.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": range(50), "y": [0, 1] * 25})
    >>> train, test, how = carve_test(frame, "y", "binary", "t", None, 0)
    >>> len(train), len(test), int(test["t"].min())
    (40, 10, 40)
    """
    n = len(frame)
    if time is not None:
        order = frame[time].sort_values(kind="mergesort")
        cut = order.iloc[int(math.floor((1 - TEST_SIZE) * n)) - 1]
        is_test = (frame[time] > cut).to_numpy()
        if is_test.sum() < MIN_TEST_ROWS:
            raise InputError(
                f"time={time!r}: too few rows after {cut} to hold out a test set; "
                "give a column with more distinct times, or a test table",
                column=time,
                parameter="time",
            )
        how = (
            f"by time: the test set is every row with {time} after {cut} "
            f"(the last {is_test.mean():.0%} of rows), because the model will predict the future"
        )
        return frame[~is_test], frame[is_test], how
    if group is not None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=seed)
        train_idx, test_idx = next(splitter.split(frame, groups=frame[group]))
        how = (
            f"by group: {TEST_SIZE:.0%} of the {group} values go to the test set with all "
            "their rows, so the test score is for entities the model has not seen"
        )
        return frame.iloc[train_idx], frame.iloc[test_idx], how
    stratify = frame[target] if task != "regression" else None
    train, test = train_test_split(
        frame, test_size=TEST_SIZE, random_state=seed, stratify=stratify
    )
    how = (
        f"stratified random: {TEST_SIZE:.0%} of rows, with the class shares of the whole table"
        if stratify is not None
        else f"random: {TEST_SIZE:.0%} of rows"
    )
    return train, test, how


def check_class_sizes(y: pd.Series, needed: int, label: str) -> None:
    """Raise unless every class of ``y`` has at least ``needed`` rows."""
    counts = y.value_counts()
    small = counts[counts < needed]
    if not small.empty:
        name, count = small.index[0], int(small.iloc[0])
        raise InputError(
            f"{label}: class {name!r} of the target has {count} rows; stratified "
            f"{MIN_SPLITS}-fold cross-validation with a test set needs at least {needed} per "
            "class (merge or drop the rare classes)",
            column=str(y.name),
            parameter="target",
        )


def check_group_count(groups: pd.Series, needed: int, label: str) -> None:
    """Raise unless ``groups`` has at least ``needed`` distinct values."""
    n_groups = groups.nunique()
    if n_groups < needed:
        raise InputError(
            f"{label}: group={groups.name!r} has {n_groups} distinct values; "
            f"group-wise splits need at least {needed}",
            column=str(groups.name),
            parameter="group",
        )


def n_splits_for(y: pd.Series, task: str, groups: pd.Series | None) -> int:
    """10 folds on tables of up to 5,000 rows whose classes and groups allow it, else 5.

    More folds make the paired comparisons between candidates tighter (each fold
    trains on more rows, and there are more differences to average), at a cost
    that small tables can afford.

    Examples
    --------
    >>> n_splits_for(pd.Series([0, 1] * 500), "binary", None)
    10
    >>> n_splits_for(pd.Series([0] * 990 + [1] * 12), "binary", None)
    5
    """
    if len(y) > MANY_ROWS:
        return MIN_SPLITS
    if task != "regression" and y.value_counts().min() < 2 * MAX_SPLITS:
        return MIN_SPLITS
    if groups is not None and groups.nunique() < 2 * MAX_SPLITS:
        return MIN_SPLITS
    return MAX_SPLITS


def cv_splits(
    X: pd.DataFrame,
    y: pd.Series,
    task: str,
    *,
    time: str | None,
    groups: pd.Series | None,
    seed: int,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """The cross-validation folds of the training part and a sentence describing them.

    Rows must already be sorted by ``time`` when it is given.
    """
    k = n_splits_for(y, task, groups)
    if time is not None:
        splitter = TimeSeriesSplit(n_splits=k)
        scheme = (
            f"TimeSeriesSplit(n_splits={k}) on rows sorted by {time}: "
            "each fold validates on a later period than it trains on"
        )
    elif groups is not None:
        cls = GroupKFold if task == "regression" else StratifiedGroupKFold
        splitter = cls(n_splits=k, shuffle=True, random_state=seed)
        scheme = (
            f"{cls.__name__}(n_splits={k}) by {groups.name}: no entity is on both sides of a fold"
        )
    elif task == "regression":
        splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
        scheme = f"KFold(n_splits={k}, shuffle=True)"
    else:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        scheme = f"StratifiedKFold(n_splits={k}, shuffle=True): class shares kept per fold"
    return list(splitter.split(X, y, groups)), scheme
