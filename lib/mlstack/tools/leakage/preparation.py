"""Preparation of a train/test pair: validation, one dtype per column, column kinds.

:func:`prepare` checks the two tables (bad input raises
:class:`~mlstack.errors.InputError` with the table and column), keeps the columns they
share, gives each column the same dtype on both sides so values compare and hash alike,
reads dates stored as text, and returns a :class:`Pair` that every check reads.
:func:`internal_holdout` is the split :func:`~mlstack.tools.leakage.auditor.audit_columns`
makes of a single table.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "Pair",
    "check_frame",
    "column_kind",
    "holdout_note",
    "internal_holdout",
    "is_numeric",
    "numbers",
    "parse_dates",
    "prepare",
    "require_column",
    "sample_index",
]


@dataclass
class Pair:
    """The two sides of a split, harmonized, with what the checks share.

    ``kinds`` maps each column to ``"numeric"``, ``"categorical"`` or ``"datetime"``;
    ``cache`` holds results several checks need (identifier columns, column scores);
    ``timings``, when given, receives the seconds of each check.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    target: str
    features: list[str]
    kinds: dict[str, str]
    time: str | None
    group: str | None
    names: tuple[str, str]
    holdout_note: str = "the test set"
    cache: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] | None = None


def require_column(frame: pd.DataFrame, column: str, where: str, *, path: Any = None) -> None:
    """Raise the one-line :class:`InputError` of a missing column (with a close match)."""
    from mlstack.utils.tables import require_columns

    try:
        require_columns(frame, [column], where=where)
    except InputError as error:
        raise InputError(error.message, path=path, column=column) from None


def check_frame(frame: pd.DataFrame, where: str, target: str, *, path: Any = None) -> None:
    """Raise :class:`InputError` unless ``frame`` is a non-empty table with ``target``.

    ``where`` names the table in the message; ``path`` is its file, when it has one.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) == 0 or frame.shape[1] == 0:
        raise InputError(f"{where}: the table is empty", path=path)
    if frame.columns.duplicated().any():
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"{where}: duplicate column names {repeated}; rename them", path=path)
    if target not in frame.columns:
        require_column(frame, target, where, path=path)


def prepare(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None,
    group: str | None,
    names: tuple[str, str] = ("train", "test"),
    paths: tuple[Any, Any] = (None, None),
    allow_empty_test: bool = False,
) -> Pair:
    """Validate and harmonize a train/test pair for the checks.

    Parameters
    ----------
    train, test : pandas.DataFrame
        The two sides, each with ``target``.
    target : str
    time, group : str or None
        Declared time and entity columns, required on both sides when given.
    names : tuple of str, default=("train", "test")
        How error messages name the two tables.
    paths : tuple, default=(None, None)
        The files the tables were read from, for the errors' ``path``.
    allow_empty_test : bool, default=False
        Accept an empty test side (``audit_columns`` on a table too small to split).

    Returns
    -------
    Pair

    Examples
    --------
    >>> train = pd.DataFrame({"x": [1, 2], "when": ["2024-01-01", "2024-01-02"], "y": [0, 1]})
    >>> pair = prepare(train, train, "y", time=None, group=None)
    >>> pair.features, pair.kinds["when"]
    (['x', 'when'], 'datetime')
    """
    check_frame(train, names[0], target, path=paths[0])
    if not (allow_empty_test and len(test) == 0):
        check_frame(test, names[1], target, path=paths[1])
    for name in (time, group):
        if name is None:
            continue
        for frame, where, path in ((train, names[0], paths[0]), (test, names[1], paths[1])):
            if name not in frame.columns:
                require_column(frame, name, where, path=path)
    features = [c for c in train.columns if c in set(test.columns) and c != target]
    if not features:
        raise InputError(
            f"{names[0]} and {names[1]} share no column besides the target {target!r}; "
            "check that both files come from the same table",
            column=target,
        )
    columns = [*features, target]
    train = train[columns].reset_index(drop=True)
    test = test[columns].reset_index(drop=True)
    kinds = {}
    for column in columns:
        train_col, test_col = _harmonize(train[column], test[column])
        if column != target and column_kind(train_col) == "categorical":
            train_col, test_col = _dates_if_dates(train_col, test_col)
        train[column], test[column] = train_col, test_col
        kinds[column] = column_kind(train_col)
    if time is not None:
        train[time], test[time] = _as_time(train[time], test[time], time, names)
        kinds[time] = (
            "datetime" if pd.api.types.is_datetime64_any_dtype(train[time]) else "numeric"
        )
    return Pair(train, test, target, features, kinds, time, group, names)


def is_numeric(series: pd.Series) -> bool:
    """True for numbers and booleans."""
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def column_kind(series: pd.Series) -> str:
    """``"categorical"``, ``"datetime"`` or ``"numeric"`` (timedeltas count as numbers)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if is_numeric(series) or pd.api.types.is_timedelta64_dtype(series):
        return "numeric"
    return "categorical"


def numbers(series: pd.Series) -> np.ndarray:
    """A numeric, datetime or timedelta column as float64, missing values as NaN."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[ns]")
        out = values.astype("int64").astype("float64")
        out[np.isnat(values)] = np.nan
        return out
    if pd.api.types.is_timedelta64_dtype(series):
        return series.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    return series.to_numpy(dtype="float64", na_value=np.nan)


def parse_dates(series: pd.Series) -> pd.Series:
    """Parse text as naive UTC datetimes; what does not parse becomes ``NaT``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(series, errors="coerce")
        except (TypeError, ValueError):
            parsed = pd.to_datetime(series, errors="coerce", utc=True)
    if not pd.api.types.is_datetime64_any_dtype(parsed):
        parsed = pd.to_datetime(series, errors="coerce", utc=True)
    return _naive_utc(parsed)


def sample_index(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of at most ``size`` of ``n`` rows (all of them when ``n <= size``)."""
    if n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def internal_holdout(
    frame: pd.DataFrame, *, time: str | None, group: str | None, random_state: int
) -> np.ndarray:
    """Boolean mask of the 25% of ``frame`` that checks survival: latest, other groups, or random.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": range(8)})
    >>> internal_holdout(frame, time="t", group=None, random_state=0).tolist()
    [False, False, False, False, False, False, True, True]
    """
    n = len(frame)
    if time is not None:
        values = numbers(
            parse_dates(frame[time]) if column_kind(frame[time]) == "categorical" else frame[time]
        )
        order = np.argsort(np.where(np.isnan(values), -np.inf, values), kind="stable")
        mask = np.zeros(n, dtype=bool)
        mask[order[int(n * 0.75) :]] = True
        return mask
    if group is not None:
        hashed = pd.util.hash_pandas_object(frame[group].astype(str), index=False).to_numpy()
        salt = np.uint64(random_state * 2654435761 % (1 << 32))
        return ((hashed ^ salt) % np.uint64(1000)) < 250
    rng = np.random.default_rng(random_state)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: n // 4]] = True
    return mask


def holdout_note(time: str | None, group: str | None) -> str:
    """How the evidence names the internal holdout of :func:`internal_holdout`."""
    if time is not None:
        return f"the latest 25% of the table by {time!r}"
    if group is not None:
        return f"25% of the table's {group!r} groups"
    return "a random 25% of the table"


# --------------------------------------------------------------------------------------------
# dtypes


def _harmonize(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Give a column the same dtype on both sides, so values compare and hash alike."""
    if a.dtype == b.dtype and not isinstance(a.dtype, pd.CategoricalDtype):
        return a, b
    if is_numeric(a) and is_numeric(b) and not isinstance(a.dtype, pd.CategoricalDtype):
        return _to_float(a), _to_float(b)
    if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
        return _naive_utc(a), _naive_utc(b)
    if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
        if a.dtype == b.dtype:
            return a, b
    return a.astype(str), b.astype(str)


def _to_float(series: pd.Series) -> pd.Series:
    return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), name=series.name)


def _naive_utc(series: pd.Series) -> pd.Series:
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.astype("datetime64[ns]")


def _as_time(
    a: pd.Series, b: pd.Series, name: str, names: tuple[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Read the time column as datetimes (or plain numbers) on both sides."""
    if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
        return _naive_utc(a), _naive_utc(b)
    if is_numeric(a) and is_numeric(b):
        return _to_float(a), _to_float(b)
    out = []
    for series, where in ((a, names[0]), (b, names[1])):
        if pd.api.types.is_datetime64_any_dtype(series):
            out.append(_naive_utc(series))
            continue
        parsed = parse_dates(series)
        bad = int(parsed.isna().sum() - series.isna().sum())
        if bad > 0.01 * max(series.notna().sum(), 1):
            raise InputError(
                f"{where}: time column {name!r} has {bad} values that are neither dates nor "
                "numbers; give a date or numeric column as time (--time)",
                column=name,
                parameter="time",
            )
        out.append(parsed)
    return out[0], out[1]


_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _dates_if_dates(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column as datetimes when it holds dates (CSV files store them as text)."""
    if isinstance(a.dtype, pd.CategoricalDtype):
        return a, b
    head = a.dropna().head(200).astype(str)
    if len(head) == 0 or not head.str.match(_DATE_LIKE).all():
        return a, b
    parsed = []
    for series in (a, b):
        dates = parse_dates(series)
        if (dates.isna() & series.notna()).sum() > 0.01 * max(series.notna().sum(), 1):
            return a, b
        parsed.append(dates)
    return parsed[0], parsed[1]
