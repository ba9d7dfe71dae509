"""Take rows by position from whatever holds them: a DataFrame, a Series or an array."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["take_rows"]


def take_rows(data: Any, rows: Any) -> Any:
    """Return the rows of ``data`` at positions (or boolean mask) ``rows``, keeping its type.

    Parameters
    ----------
    data : pandas.DataFrame, pandas.Series, numpy.ndarray or sequence
        Rows along the first axis.
    rows : array-like of int or bool
        Positions, or a boolean mask of the same length as ``data``.

    Returns
    -------
    Same type as ``data`` (a sequence becomes a numpy array). pandas objects keep
    their index; positions, never labels, select the rows.

    Examples
    --------
    >>> take_rows(pd.Series([10, 20, 30], index=[7, 8, 9]), [2, 0]).tolist()
    [30, 10]
    >>> take_rows(np.arange(4) * 2, np.array([True, False, True, False])).tolist()
    [0, 4]
    """
    if isinstance(data, pd.DataFrame | pd.Series):
        return data.iloc[rows]
    return np.asarray(data)[rows]
