"""Which columns play a role the checks treat apart: identifiers, entities, dates.

Read from the training side of a :class:`~mlstack.tools.leakage.preparation.Pair` by
name and by shape, never from the target:

- :func:`identifiers`: unique or nearly unique columns (row numbers, record keys), left
  out of the duplicate comparison and the shift model, and checked for signal on their own;
- :func:`entity_columns`: repeated keys named like an entity (``customer_id``,
  ``tailnum``), checked for overlap when no ``group`` is declared;
- :func:`time_columns`: date columns, checked for overlap when no ``time`` is declared;
- :func:`moves_with_time`: columns that follow the declared time (month, day of year),
  which a split by time separates by construction.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mlstack.tools.leakage.preparation import Pair, numbers, parse_dates

__all__ = ["entity_columns", "identifiers", "integer_valued", "moves_with_time", "time_columns"]

ID_NAME = re.compile(
    r"(^|[^a-z])(id|ids|idx|index|key|uuid|guid|rownames?|row|record|serial|unnamed: ?\d+)([^a-z]|$)"
    r"|[a-z]Id$|ID$",
)
_ENTITY_NAME = re.compile(
    r"(user|customer|client|patient|subject|person|participant|member|account|household|"
    r"family|player|team|driver|session|student|school|hospital|site|store|shop|device|"
    r"machine|sensor|vehicle|plane|aircraft|tail|owner|author|artist|company|firm|entity|"
    r"group|cluster|(^|[^a-z])id([^a-z]|$)|[a-z]Id$|ID$)",
    re.IGNORECASE,
)
_TIME_NAME = re.compile(r"(date|time|timestamp|(^|_)dt($|_)|_at$|day$)", re.IGNORECASE)


def integer_valued(series: pd.Series) -> bool:
    """True for an integer column, or a float column whose values are all whole.

    Examples
    --------
    >>> integer_valued(pd.Series([1.0, 2.0, None])), integer_valued(pd.Series([0.5]))
    (True, False)
    """
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_integer_dtype(series):
        return True
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        values = values[~np.isnan(values)]
        return bool(len(values)) and bool(np.all(values == np.round(values)))
    return False


def identifiers(pair: Pair) -> dict[str, str]:
    """The identifier-like columns, each with the reason it qualifies (cached on the pair)."""
    if "identifiers" in pair.cache:
        return pair.cache["identifiers"]
    found: dict[str, str] = {}
    for column in pair.features:
        if column in (pair.time, pair.group) or pair.kinds[column] == "datetime":
            continue
        series = pair.train[column]
        present = series.dropna()
        if len(present) < 20:
            continue
        categorical = pair.kinds[column] == "categorical"
        if not categorical and not integer_valued(series):
            continue
        unique_share = present.nunique() / len(present)
        named = bool(ID_NAME.search(str(column)))
        if categorical and unique_share >= 0.9:
            found[column] = f"{unique_share:.0%} of its values are unique"
        elif not categorical and named and unique_share >= 0.9:
            found[column] = f"named like an identifier and {unique_share:.0%} unique"
        elif not categorical and unique_share >= 0.99:
            values = present.to_numpy(dtype="float64")
            span = values.max() - values.min() + 1
            if span > 0 and present.nunique() / span >= 0.5:
                found[column] = "unique consecutive integers, like a row number"
    pair.cache["identifiers"] = found
    return found


def entity_columns(pair: Pair) -> list[str]:
    """Repeated keys named like an entity: at least 20 values, each on 2 rows or more on average."""
    ids = identifiers(pair)
    found = []
    for column in pair.features:
        if column in ids or column == pair.time or pair.kinds[column] == "datetime":
            continue
        series = pair.train[column]
        if pair.kinds[column] == "categorical":
            if not _ENTITY_NAME.search(str(column)):
                continue
        elif not (ID_NAME.search(str(column)) and integer_valued(series)):
            continue  # a number is an entity only when named like an ID (customer_id)
        n_unique = series.nunique()
        if n_unique >= 20 and series.notna().sum() / n_unique >= 2:
            found.append(column)
    return found


def time_columns(pair: Pair) -> list[str]:
    """The declared time column, or else the date columns (and text named like a date)."""
    if pair.time is not None:
        return [pair.time]
    found = []
    for column in pair.features:
        if pair.kinds[column] == "datetime":
            found.append(column)
        elif pair.kinds[column] == "categorical" and _TIME_NAME.search(str(column)):
            head = pair.train[column].dropna().head(200)
            if len(head) and parse_dates(head.astype(str)).notna().all():
                found.append(column)
    return found


def moves_with_time(pair: Pair, frame: pd.DataFrame) -> list[str]:
    """Columns that move with the time column (|Spearman| >= 0.9), e.g. month, day of year."""
    if pair.time is None:
        return []
    base = pd.Series(numbers(frame[pair.time]))
    found = []
    for column in pair.features:
        if column == pair.time or pair.kinds[column] == "categorical":
            continue
        values = pd.Series(numbers(frame[column]))
        ok = values.notna() & base.notna()
        if ok.sum() < 10 or values[ok].nunique() < 2:
            continue
        rho = np.corrcoef(values[ok].rank(), base[ok].rank())[0, 1]
        if abs(rho) >= 0.9:
            found.append(column)
    return found
