"""Train/test splits that respect time and groups, and tidy tables of their scores.

A random split answers "how well does the model do on rows like the training
rows?". That is the right question only when rows are independent. Flights are
not: flights of the same day share the weather and the air-traffic backlog, the
same aircraft flies many of them, and the model is used on *future* flights.
The splitters here return the positions ``(train, test)`` of one split, like one
iteration of a scikit-learn splitter, so a split can go wherever ``cv=`` is
accepted (``cv=[time_split(...)]``):

- :func:`random_split`: uniformly random rows (the default habit).
- :func:`time_split`: everything before a cutoff trains, everything from it on
  tests; no test row is earlier than a training row.
- :func:`group_split`: whole groups (an aircraft, a day) go to one side only,
  built on :class:`sklearn.model_selection.GroupShuffleSplit`.

:class:`RollingOriginSplit` is the cross-validation splitter of time-ordered data
with natural periods (months): each fold trains on every period before one and
validates on that period, for the last ``n_splits`` periods, so each validation
block is as far in the future of its training rows as the next month is of today.

:func:`score_splits` fits the same estimator on several single splits and
:func:`cv_fold_scores` runs several cross-validation schemes; both return one
tidy row per split or fold, so schemes compare side by side.
:func:`estimate_spread` measures how much an estimate moves with the seed of
the split, for a single split and for k-fold cross-validation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupShuffleSplit, KFold, ShuffleSplit, cross_validate

from mlstack.errors import InputError

__all__ = [
    "RollingOriginSplit",
    "cv_fold_scores",
    "estimate_spread",
    "group_split",
    "random_split",
    "score_splits",
    "shared_groups",
    "time_split",
]

Split = tuple[np.ndarray, np.ndarray]


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise InputError(f"column {column!r} is not in the frame; pass one of its columns")
    return frame[column]


def _n_test(n_rows: int, test_size: float | int) -> int:
    """Number of test rows for ``test_size`` (a fraction or a count), as sklearn does."""
    if isinstance(test_size, Integral | np.integer) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, Real) and 0 < test_size < 1:
        n_test = int(np.ceil(test_size * n_rows))
    else:
        raise InputError(f"test_size={test_size!r}: give a fraction in (0, 1) or a row count")
    if not 0 < n_test < n_rows:
        raise InputError(
            f"test_size={test_size!r} leaves an empty side of the split of {n_rows} rows"
        )
    return n_test


def random_split(
    frame: pd.DataFrame, *, test_size: float | int = 0.2, random_state: int = 0
) -> Split:
    """Split rows uniformly at random (:class:`~sklearn.model_selection.ShuffleSplit`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to split; only its length is used.
    test_size : float or int, default=0.2
        Fraction of rows (in ``(0, 1)``) or number of rows in the test part.
    random_state : int, default=0
        Seed of the shuffle.

    Returns
    -------
    train, test : numpy.ndarray of int
        Sorted row positions of each part.

    .. warning::
        A random split assumes the rows are independent. On time-ordered or
        grouped rows it lets the model see the test rows' neighbours (same day,
        same aircraft) and its score is optimistic; see :func:`time_split` and
        :func:`group_split`.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(10)})
    >>> train, test = random_split(frame, test_size=0.3, random_state=0)
    >>> len(train), len(test)
    (7, 3)
    """
    _n_test(len(frame), test_size)
    splitter = ShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(np.zeros((len(frame), 1))))
    return np.sort(train), np.sort(test)


def time_split(
    frame: pd.DataFrame,
    time_col: str,
    *,
    test_size: float | int | None = None,
    cutoff: Any = None,
) -> Split:
    """Split by time: rows before a cutoff train, rows at or after it test.

    Rows that share a timestamp always land on the same side, so every test
    time is strictly later than every training time.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to split, in any order.
    time_col : str
        Column of ``frame`` holding the time (datetimes or numbers); no missing values.
    test_size : float or int, optional
        Fraction (in ``(0, 1)``) or number of the latest rows to test on. The
        cutoff is the time of the first of them, so ties can move the actual
        size slightly. Give exactly one of ``test_size`` and ``cutoff``.
    cutoff : scalar, optional
        The first time of the test part (compared with ``>=``).

    Returns
    -------
    train, test : numpy.ndarray of int
        Sorted row positions of each part.

    Raises
    ------
    InputError
        If the column is missing or has missing values, if both or neither of
        ``test_size`` and ``cutoff`` are given, or if a side would be empty.

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : several such splits with a growing training part.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": [5, 1, 4, 2, 3]})
    >>> train, test = time_split(frame, "t", test_size=2)
    >>> frame["t"].iloc[train].tolist(), frame["t"].iloc[test].tolist()
    ([1, 2, 3], [5, 4])
    >>> time_split(frame, "t", cutoff=3)[1].tolist()
    [0, 2, 4]
    """
    times = _column(frame, time_col)
    if (test_size is None) == (cutoff is None):
        raise InputError("time_split needs exactly one of test_size and cutoff")
    if times.isna().any():
        raise InputError(
            f"column {time_col!r} has missing times; drop or fill them before splitting"
        )
    if cutoff is None:
        n_test = _n_test(len(times), test_size)
        cutoff = np.sort(times.to_numpy())[len(times) - n_test]
    is_test = (times >= cutoff).to_numpy()
    train, test = np.flatnonzero(~is_test), np.flatnonzero(is_test)
    if len(train) == 0 or len(test) == 0:
        side = "training" if len(train) == 0 else "test"
        raise InputError(
            f"the cutoff {cutoff} on column {time_col!r} leaves the {side} part empty; "
            "choose a cutoff inside the time range"
        )
    return train, test


def group_split(
    frame: pd.DataFrame,
    group_col: str,
    *,
    test_size: float | int = 0.2,
    random_state: int = 0,
) -> Split:
    """Split by group: every group lands wholly on one side.

    Built on :class:`~sklearn.model_selection.GroupShuffleSplit`; ``test_size``
    counts *groups*, not rows, so the row share of the test part varies with
    the sizes of the groups drawn.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to split.
    group_col : str
        Column of ``frame`` naming each row's group (an aircraft ``tailnum``,
        a date); no missing values.
    test_size : float or int, default=0.2
        Fraction (in ``(0, 1)``) or number of groups in the test part.
    random_state : int, default=0
        Seed of the draw of groups.

    Returns
    -------
    train, test : numpy.ndarray of int
        Sorted row positions of each part.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": ["a", "a", "b", "b", "c", "c"]})
    >>> train, test = group_split(frame, "g", test_size=1, random_state=0)
    >>> set(frame["g"].iloc[train]) & set(frame["g"].iloc[test])
    set()
    """
    groups = _column(frame, group_col)
    if groups.isna().any():
        raise InputError(
            f"column {group_col!r} has missing groups; give them a group of their own first"
        )
    _n_test(groups.nunique(), test_size)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(np.zeros((len(groups), 1)), groups=groups.to_numpy()))
    return np.sort(train), np.sort(test)


class RollingOriginSplit:
    """Rolling-origin cross-validation: train on the periods before one, validate on it.

    For each of the last ``n_splits`` periods (months, weeks...) of the data, the
    training part is every row of an earlier period and the validation part every
    row of that period: "train through month m, validate on month m + 1". The
    origin rolls forward one period per fold, the training part grows (or slides,
    with ``max_train_periods``), and no validation row is ever earlier than a
    training row. Scores of the folds are paired across models (the same rows),
    which is what :func:`mlstack.metrics.comparison.compare_folds` needs.

    Like :class:`~sklearn.model_selection.PredefinedSplit`, the splitter holds
    the period of each row, so it works wherever ``cv=`` is accepted
    (``cross_validate``, ``GridSearchCV``, ``HalvingRandomSearchCV``, FLAML's
    ``split_type``) without passing ``groups``.

    Parameters
    ----------
    periods : array-like of shape (n_samples,)
        The period of each row, in any order; any values that sort in time
        (month numbers, period starts). No missing values.
    n_splits : int, default=5
        Validate on each of the last ``n_splits`` periods.
    max_train_periods : int, optional
        Train on at most this many periods before the validation one (a sliding
        window); every earlier period by default (an expanding window).

    Attributes
    ----------
    shuffle : bool
        Always False: tools that shuffle the training rows of a splitter that
        does not say otherwise (FLAML) keep their order.

    Examples
    --------
    >>> months = np.repeat([1, 2, 3, 4], 2)
    >>> cv = RollingOriginSplit(months, n_splits=2)
    >>> [(train.tolist(), test.tolist()) for train, test in cv.split(months)]
    [([0, 1, 2, 3], [4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7])]
    >>> cv.get_n_splits(), cv.validation_periods()
    (2, [3, 4])
    """

    shuffle = False

    def __init__(
        self, periods: Any, *, n_splits: int = 5, max_train_periods: int | None = None
    ) -> None:
        self.periods = periods
        self.n_splits = n_splits
        self.max_train_periods = max_train_periods

    def _levels(self) -> tuple[np.ndarray, np.ndarray]:
        periods = np.asarray(self.periods)
        if periods.ndim != 1 or pd.isna(periods).any():
            raise InputError("periods must be one non-missing period per row", parameter="periods")
        if not isinstance(self.n_splits, Integral) or self.n_splits < 1:
            raise InputError(
                f"n_splits={self.n_splits!r}: give a positive number of folds",
                parameter="n_splits",
            )
        levels = np.unique(periods)
        if len(levels) < self.n_splits + 1:
            raise InputError(
                f"n_splits={self.n_splits} needs at least {self.n_splits + 1} periods; "
                f"the data has {len(levels)}",
                parameter="n_splits",
            )
        return periods, levels

    def validation_periods(self) -> list[Any]:
        """The period each fold validates on, in fold order."""
        _, levels = self._levels()
        return [v.item() if hasattr(v, "item") else v for v in levels[-self.n_splits :]]

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds (``n_splits``)."""
        return int(self.n_splits)

    def split(self, X: Any, y: Any = None, groups: Any = None):
        """Yield ``(train, validation)`` row positions, one pair per fold, oldest first.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_features)
            Only its length is used: it must match ``periods``.
        y, groups : ignored
            Present for scikit-learn compatibility.
        """
        periods, levels = self._levels()
        if len(X) != len(periods):
            raise InputError(
                f"X has {len(X)} rows but periods has {len(periods)}; build the splitter "
                "from the periods of the rows you split",
                parameter="periods",
            )
        first_fold = len(levels) - self.n_splits
        for position in range(first_fold, len(levels)):
            start = 0 if self.max_train_periods is None else position - self.max_train_periods
            train_levels = levels[max(start, 0) : position]
            yield (
                np.flatnonzero(np.isin(periods, train_levels)),
                np.flatnonzero(periods == levels[position]),
            )

    def __repr__(self) -> str:
        window = (
            ""
            if self.max_train_periods is None
            else f", max_train_periods={self.max_train_periods}"
        )
        return f"RollingOriginSplit(n_splits={self.n_splits}{window})"


def shared_groups(groups: Sequence[Any] | pd.Series, train: np.ndarray, test: np.ndarray) -> float:
    """Return the share of test rows whose group also appears in the training part.

    1.0 means the model has seen the group of every test row (a random split
    of grouped data); 0.0 means every test row comes from an unseen group.

    Examples
    --------
    >>> shared_groups(["a", "a", "b", "c"], np.array([0, 2]), np.array([1, 3]))
    0.5
    """
    values = pd.Series(np.asarray(groups))
    seen = values.iloc[train].unique()
    return float(values.iloc[test].isin(seen).mean())


def _scorers(scoring: str | Sequence[str]) -> dict[str, Any]:
    names = [scoring] if isinstance(scoring, str) else list(scoring)
    return {name: get_scorer(name) for name in names}


def score_splits(
    estimator: Any,
    X: pd.DataFrame,
    y: pd.Series,
    splits: Mapping[str, Split],
    *,
    scoring: str | Sequence[str] = ("roc_auc", "accuracy"),
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Fit a fresh clone of ``estimator`` on each split and score it on the test part.

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn estimator or pipeline (cloned for each split).
    X : pandas.DataFrame
    y : pandas.Series
    splits : mapping of str to (train, test)
        Named splits, as returned by :func:`random_split`, :func:`time_split`
        or :func:`group_split`.
    scoring : str or sequence of str, default=("roc_auc", "accuracy")
        scikit-learn scorer names.
    groups : pandas.Series, optional
        When given, a column ``test rows with seen group`` reports
        :func:`shared_groups` for each split.

    Returns
    -------
    pandas.DataFrame
        One row per split, in the order given: ``split``, ``n_train``,
        ``n_test``, ``test positive rate``, optionally ``test rows with seen
        group``, then one column per scorer.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> X, y = pd.DataFrame(X), pd.Series(y)
    >>> splits = {"random": random_split(X, random_state=0)}
    >>> score_splits(LogisticRegression(), X, y, splits, scoring="accuracy").columns.tolist()
    ['split', 'n_train', 'n_test', 'test positive rate', 'accuracy']
    """
    scorers = _scorers(scoring)
    rows = []
    for name, (train, test) in splits.items():
        model = clone(estimator).fit(X.iloc[train], y.iloc[train])
        row: dict[str, Any] = {
            "split": name,
            "n_train": len(train),
            "n_test": len(test),
            "test positive rate": float(np.mean(y.iloc[test])),
        }
        if groups is not None:
            row["test rows with seen group"] = shared_groups(groups, train, test)
        for score_name, scorer in scorers.items():
            row[score_name] = float(scorer(model, X.iloc[test], y.iloc[test]))
        rows.append(row)
    return pd.DataFrame(rows)


def cv_fold_scores(
    estimator: Any,
    X: pd.DataFrame,
    y: pd.Series,
    schemes: Mapping[str, Any],
    *,
    groups: pd.Series | None = None,
    scoring: str | Sequence[str] = "roc_auc",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Cross-validate ``estimator`` under several schemes; one row per fold.

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn estimator or pipeline.
    X : pandas.DataFrame
    y : pandas.Series
    schemes : mapping of str to splitter
        Named cross-validation splitters (``KFold(5)``, ``GroupKFold(5)``,
        ``TimeSeriesSplit(5)``...) or iterables of ``(train, test)``.
    groups : pandas.Series, optional
        Passed to every splitter (splitters that ignore groups ignore it) and
        used for the ``test rows with seen group`` column.
    scoring : str or sequence of str, default="roc_auc"
        scikit-learn scorer names.
    n_jobs : int, optional
        Folds fitted in parallel (keep it at most 2 on the course machine).

    Returns
    -------
    pandas.DataFrame
        Columns ``scheme``, ``fold``, ``n_train``, ``n_test``, ``test positive
        rate``, ``test rows with seen group`` (when ``groups`` is given) and one
        column per scorer. The mean of a scheme's scores is its CV estimate.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> folds = cv_fold_scores(LogisticRegression(), pd.DataFrame(X), pd.Series(y),
    ...                        {"kfold": KFold(4)}, scoring="accuracy")
    >>> folds[["fold", "n_train", "n_test"]].to_numpy().tolist()
    [[0, 75, 25], [1, 75, 25], [2, 75, 25], [3, 75, 25]]
    """
    names = [scoring] if isinstance(scoring, str) else list(scoring)
    y_values = np.asarray(y)
    tables = []
    for scheme, cv in schemes.items():
        with warnings.catch_warnings():
            # KFold and TimeSeriesSplit say they ignore groups; that is expected here
            warnings.filterwarnings("ignore", "The groups parameter is ignored", UserWarning)
            folds = list(cv.split(X, y, groups) if hasattr(cv, "split") else cv)
        result = cross_validate(
            estimator, X, y, groups=groups, cv=folds, scoring=names, n_jobs=n_jobs
        )
        table = pd.DataFrame(
            {
                "scheme": scheme,
                "fold": np.arange(len(folds)),
                "n_train": [len(train) for train, _ in folds],
                "n_test": [len(test) for _, test in folds],
                "test positive rate": [float(y_values[test].mean()) for _, test in folds],
            }
        )
        if groups is not None:
            table["test rows with seen group"] = [
                shared_groups(groups, train, test) for train, test in folds
            ]
        for name in names:
            table[name] = result[f"test_{name}"]
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def estimate_spread(
    estimator: Any,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    n_seeds: int = 30,
    n_splits: int = 5,
    test_size: float = 0.2,
    scoring: str = "roc_auc",
) -> pd.DataFrame:
    """Estimate a score once per seed, by one random split and by shuffled k-fold CV.

    The data stay the same; only the seed of the split changes. The spread of
    the estimates across seeds is how much the number you would report
    depends on luck in the split (anti-pattern AP4 on small data).

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn estimator or pipeline.
    X : pandas.DataFrame
    y : pandas.Series
    n_seeds : int, default=30
        Seeds ``0 .. n_seeds - 1``, each giving one estimate per method.
    n_splits : int, default=5
        Folds of the :class:`~sklearn.model_selection.KFold` estimate.
    test_size : float, default=0.2
        Test share of the single split (``1 / n_splits`` makes the two
        methods train on the same amount of data).
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    pandas.DataFrame
        One row per seed and method: ``seed``, ``method`` (``"single split"``
        or ``"<k>-fold CV"``), ``estimate`` (the split's score, or the mean of
        the fold scores) and ``fold std`` (0 for a single split).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=120, random_state=0)
    >>> table = estimate_spread(LogisticRegression(), pd.DataFrame(X), pd.Series(y), n_seeds=3)
    >>> table.groupby("method").size().to_dict()
    {'5-fold CV': 3, 'single split': 3}
    """
    methods = {
        "single split": lambda seed: ShuffleSplit(1, test_size=test_size, random_state=seed),
        f"{n_splits}-fold CV": lambda seed: KFold(n_splits, shuffle=True, random_state=seed),
    }
    rows = []
    for seed in range(n_seeds):
        for method, make_cv in methods.items():
            scores = cross_validate(estimator, X, y, cv=make_cv(seed), scoring=scoring)
            fold_scores = scores["test_score"]
            rows.append(
                {
                    "seed": seed,
                    "method": method,
                    "estimate": float(fold_scores.mean()),
                    "fold std": float(fold_scores.std()),
                }
            )
    return pd.DataFrame(rows)
