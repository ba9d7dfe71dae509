"""Custom scikit-learn transformers for the flights features.

:class:`CyclicalEncoder` turns periodic numbers (hour of day, day of year, wind
direction) into points on the unit circle, so that 23:00 sits next to 00:00 and
31 December next to 1 January. It is a complete scikit-learn estimator: it
passes :func:`sklearn.utils.estimator_checks.check_estimator`, works inside a
:class:`~sklearn.pipeline.Pipeline` and a
:class:`~sklearn.compose.ColumnTransformer`, and names its output columns.
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from mlstack.errors import InputError

__all__ = ["CyclicalEncoder"]


class CyclicalEncoder(TransformerMixin, BaseEstimator):
    """Encode periodic features as the sine and cosine of their phase.

    Each input column ``x`` with period ``p`` becomes two columns,
    ``sin(2 pi x / p)`` and ``cos(2 pi x / p)``. Values one period apart map to
    the same point, and the distance between two encoded values follows the
    distance around the cycle, which a linear model or a distance-based model
    can use; the raw number puts hour 23 as far as possible from hour 0.

    Parameters
    ----------
    period : float, array-like of shape (n_features,) or None, default=None
        Length of one cycle, in the units of each feature: ``24`` for an hour
        of day, ``7`` for a day of week, ``360`` for a direction in degrees.
        A single number applies to every column. ``None`` learns it from the
        training data as ``max - min`` of each column, which is right for
        values that reach both ends of the cycle (0 and 360 degrees) but one
        step short for integer codes (hours 0..23 give 23): pass the true
        period when you know it. A constant column gets period 1.

    Attributes
    ----------
    period_ : ndarray of shape (n_features_in_,)
        The period used for each column.
    n_features_in_ : int
        Number of input columns seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Input column names, when ``X`` had string column names.

    See Also
    --------
    sklearn.preprocessing.SplineTransformer : periodic splines
        (``extrapolation="periodic"``), a more flexible encoding of the same idea.

    Notes
    -----
    Missing values stay missing (both output columns are NaN), so an imputer
    can follow the encoder in a pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> hours = np.array([[0.0], [6.0], [12.0], [23.0]])
    >>> encoder = CyclicalEncoder(period=24).fit(hours)
    >>> encoder.transform(hours).round(2)
    array([[ 0.  ,  1.  ],
           [ 1.  ,  0.  ],
           [ 0.  , -1.  ],
           [-0.26,  0.97]])
    >>> encoder.get_feature_names_out(["hour"]).tolist()
    ['hour_sin', 'hour_cos']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "period": [Interval(Real, 0, None, closed="neither"), "array-like", None],
    }

    def __init__(self, period: float | Any | None = None) -> None:
        self.period = period

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> CyclicalEncoder:
        """Learn or check the period of each column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric periodic features.
        y : None
            Ignored.

        Returns
        -------
        self : CyclicalEncoder
            The fitted encoder.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
        n_features = X.shape[1]
        if self.period is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column
                period = np.nanmax(X, axis=0) - np.nanmin(X, axis=0)
            period = np.where(period > 0, period, 1.0)
        else:
            period = np.asarray(self.period, dtype=np.float64)
            if period.ndim == 0:
                period = np.full(n_features, float(period))
            if period.shape != (n_features,):
                raise InputError(
                    f"period has shape {period.shape}; expected a number or ({n_features},), "
                    "one period per column",
                    parameter="period",
                )
            if not np.all(np.isfinite(period) & (period > 0)):
                raise InputError(
                    f"every period must be a positive finite number; got {period}",
                    parameter="period",
                )
        self.period_ = period.astype(np.float64)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Encode each column as its sine and cosine.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)
            Numeric periodic features.

        Returns
        -------
        ndarray of shape (n_samples, 2 * n_features_in_)
            Columns ``x0_sin, x0_cos, x1_sin, x1_cos, ...``, in the dtype of
            ``X`` (float32 stays float32).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan"
        )
        angle = (2 * np.pi / self.period_).astype(X.dtype) * X
        out = np.empty((X.shape[0], 2 * X.shape[1]), dtype=X.dtype)
        np.sin(angle, out=out[:, 0::2])
        np.cos(angle, out=out[:, 1::2])
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return ``<name>_sin`` and ``<name>_cos`` for each input column.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; ``feature_names_in_`` (or ``x0, x1, ...``) when None.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"{name}_{part}" for name in names for part in ("sin", "cos")], object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
