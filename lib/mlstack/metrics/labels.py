"""Which labels are the positive class: the one convention every binary metric here shares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = ["positive_mask"]


def positive_mask(y_true: Any, pos_label: Any = None) -> np.ndarray:
    """Return a boolean array: which labels are the positive class of a binary task.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels: bool, 0/1, or any two values (strings...).
    pos_label : object, optional
        The positive label. By default ``True`` for booleans, ``1`` for 0/1
        labels, and otherwise the greater of the labels, as in scikit-learn.

    Examples
    --------
    >>> positive_mask(["no", "yes", "yes"]).tolist()
    [False, True, True]
    """
    y = np.asarray(y_true)
    if pos_label is None:
        if y.dtype == bool:
            return y
        values = sorted(pd.unique(pd.Series(y).dropna()).tolist())
        if len(values) > 2:
            raise InputError(f"a binary task needs at most two labels; got {len(values)}")
        pos_label = 1 if set(values) <= {0, 1} else values[-1]
    return y == pos_label
