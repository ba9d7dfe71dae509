"""The feature policy of the flights task: which column a model may use, and why not the others.

The task is to predict, when a flight is *scheduled*, whether it will arrive more
than 15 minutes late. A column may be a feature only if its value is known at that
moment (or, for the weather, the day before, through a forecast). :data:`POLICY` is
the one table that says so for every column the loaders return: its role, whether
a clean model uses it (as a categorical or a numeric feature), and for every column
left out, why. Every other view is derived from it:

- :data:`COLUMN_ROLES` and :func:`columns_with_role`: the role of each column;
- :data:`CATEGORICAL`, :data:`NUMERIC` and :data:`FEATURES`: what a clean model uses;
- :data:`EXCLUDED`: each column a clean model leaves out, with the reason (the model
  card prints it);
- :data:`POST_DEPARTURE`: the columns measured after departure, the leakage that
  notebooks plant on purpose;
- :func:`policy_table`: the whole policy as a table, for a report.

The roles:

``scheduled``
    Known when the flight is scheduled: the date and times, carrier, route, distance,
    the destination airport. The calendar *position* (``month``, ``day``,
    ``day_of_year``, the timestamps) is known too but left out: the held-out months
    lie outside the range a model is trained on, so a tree could only extrapolate
    from it, and one year of data cannot teach a yearly season.
``schedule``
    Counts over the published schedule (how busy the origin is that hour and that
    day), built by :func:`mlstack.flights.data.add_schedule_features`.
``weather``
    Observed at the origin in the scheduled departure hour. A model used the day
    before departure would read a forecast instead: notebook 08 measures what that
    substitution costs (:func:`mlstack.flights.forecast.forecast_weather`).
``plane``
    Facts about the aircraft (year built, seats, engines).
``post_departure``
    Measured after the aircraft left the gate: using them is leakage.
``target``
    The arrival delay and the label ``late``.
``identifier``
    Row and flight numbers.
``unused``
    Too empty to be a feature.

The flights of November and December are the held-out test months of the
curriculum (:data:`TEST_MONTHS`): exploration and model development use
January-October (:data:`DEVELOPMENT_MONTHS`), and
:func:`mlstack.flights.data.task_frame` returns only those unless asked.

Examples
--------
>>> FEATURES[:3], len(FEATURES)
(('carrier', 'origin', 'dest'), 25)
>>> EXCLUDED["dep_delay"]
'measured after departure: leakage (it nearly gives the answer away)'
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "CATEGORICAL",
    "COLUMN_ROLES",
    "DEVELOPMENT_MONTHS",
    "EXCLUDED",
    "FEATURES",
    "NUMERIC",
    "PERIODS",
    "POLICY",
    "POST_DEPARTURE",
    "ROLES",
    "TEST_MONTHS",
    "Column",
    "columns_with_role",
    "period_mask",
    "policy_table",
]

#: Months (1-12) of 2013 used for exploration, cross-validation and tuning.
DEVELOPMENT_MONTHS: tuple[int, ...] = tuple(range(1, 11))

#: Months held out for the single final evaluation (notebook 08).
TEST_MONTHS: tuple[int, ...] = (11, 12)

#: Names of the periods :func:`period_mask` (and the loaders' ``period=``) accept.
PERIODS: tuple[str, ...] = ("development", "test", "all")

#: The roles a column can have, in the order the module docstring explains them.
ROLES: tuple[str, ...] = (
    "scheduled",
    "schedule",
    "weather",
    "plane",
    "post_departure",
    "target",
    "identifier",
    "unused",
)


@dataclass(frozen=True)
class Column:
    """One row of the policy.

    Attributes
    ----------
    role : str
        One of :data:`ROLES`.
    use : {"categorical", "numeric", None}
        How a clean model uses the column; ``None`` when it does not.
    reason : str
        Why a clean model leaves the column out (empty for features).
    """

    role: str
    use: str | None = None
    reason: str = ""


_CALENDAR = (
    "position in the calendar: the test months lie outside the training range, so a model "
    "could only extrapolate, and one year of data cannot teach a yearly season"
)
_POST = "measured after departure: leakage (it nearly gives the answer away)"
_CAT, _NUM = "categorical", "numeric"

#: The one table of the flights task's columns (see the module docstring).
POLICY: MappingProxyType[str, Column] = MappingProxyType(
    {
        # known at scheduling time
        "carrier": Column("scheduled", _CAT),
        "origin": Column("scheduled", _CAT),
        "dest": Column("scheduled", _CAT),
        "day_of_week": Column("scheduled", _NUM),
        "hour": Column("scheduled", _NUM),
        "distance": Column("scheduled", _NUM),
        "dest_lat": Column("scheduled", _NUM),
        "dest_lon": Column("scheduled", _NUM),
        "dest_alt": Column("scheduled", _NUM),
        "year": Column("scheduled", reason="constant (every flight is in 2013)"),
        "month": Column("scheduled", reason=_CALENDAR),
        "day": Column("scheduled", reason=_CALENDAR),
        "day_of_year": Column("scheduled", reason=_CALENDAR),
        "sched_dep": Column(
            "scheduled", reason=_CALENDAR + "; hour and day_of_week keep the time of day and week"
        ),
        "time_hour": Column("scheduled", reason=_CALENDAR),
        "sched_dep_time": Column("scheduled", reason="duplicates hour (hour * 100 + minute)"),
        "minute": Column(
            "scheduled", reason="minute within the hour: no plausible effect, adds noise"
        ),
        "sched_arr_time": Column(
            "scheduled", reason="follows from the departure hour and the distance"
        ),
        "tailnum": Column(
            "scheduled",
            reason=(
                "aircraft identifier (about 4,000 values): a model would memorize aircraft; "
                "the aircraft facts (year, seats, engines) stand in for it"
            ),
        ),
        "dest_tz": Column("scheduled", reason="redundant with dest_lon"),
        # counted over the published schedule
        "origin_hour_flights": Column("schedule", _NUM),
        "origin_day_flights": Column("schedule", _NUM),
        # observed at the origin in the departure hour
        "temp": Column("weather", _NUM),
        "dewp": Column("weather", _NUM),
        "humid": Column("weather", _NUM),
        "wind_dir": Column("weather", _NUM),
        "wind_speed": Column("weather", _NUM),
        "precip": Column("weather", _NUM),
        "pressure": Column("weather", _NUM),
        "visib": Column("weather", _NUM),
        "wind_gust": Column(
            "weather",
            reason="missing for about three flights in four; wind_speed carries the wind",
        ),
        # the aircraft
        "plane_type": Column("plane", _CAT),
        "manufacturer": Column("plane", _CAT),
        "engine": Column("plane", _CAT),
        "plane_year": Column("plane", _NUM),
        "seats": Column("plane", _NUM),
        "engines": Column("plane", _NUM),
        "model": Column(
            "plane",
            reason="aircraft model (over 100 values), mostly redundant with manufacturer and seats",
        ),
        "speed": Column("unused", reason="cruising speed: missing for 99% of the planes"),
        # measured after departure: the planted leakage
        "dep_time": Column("post_departure", reason=_POST),
        "dep_delay": Column("post_departure", reason=_POST),
        "arr_time": Column("post_departure", reason=_POST),
        "air_time": Column("post_departure", reason=_POST),
        "cancelled": Column("post_departure", reason=_POST),
        # the answer
        "arr_delay": Column("target", reason="the target before thresholding"),
        "late": Column("target", reason="the label"),
        # identifiers
        "rownames": Column("identifier", reason="row number of the source table"),
        "flight": Column("identifier", reason="flight number: an identifier"),
    }
)

#: Role of every column, derived from :data:`POLICY`.
COLUMN_ROLES: MappingProxyType[str, str] = MappingProxyType(
    {name: column.role for name, column in POLICY.items()}
)

#: Categorical features of a clean model, in the policy's order.
CATEGORICAL: tuple[str, ...] = tuple(n for n, c in POLICY.items() if c.use == _CAT)

#: Numeric features of a clean model, in the policy's order.
NUMERIC: tuple[str, ...] = tuple(n for n, c in POLICY.items() if c.use == _NUM)

#: Every feature of a clean model: categorical first, then numeric.
FEATURES: tuple[str, ...] = (*CATEGORICAL, *NUMERIC)

#: Columns a clean model leaves out, with the reason (the label ``late`` aside).
EXCLUDED: MappingProxyType[str, str] = MappingProxyType(
    {n: c.reason for n, c in POLICY.items() if c.use is None and n not in ("late", "rownames")}
)

#: Columns measured after departure; ``cancelled`` is left out because it is constant
#: once the flights without an arrival are dropped.
POST_DEPARTURE: tuple[str, ...] = tuple(
    n for n, c in POLICY.items() if c.role == "post_departure" and n != "cancelled"
)


def columns_with_role(*roles: str) -> list[str]:
    """Return the columns of :data:`POLICY` that have one of ``roles``, in the policy's order.

    Examples
    --------
    >>> columns_with_role("post_departure")
    ['dep_time', 'dep_delay', 'arr_time', 'air_time', 'cancelled']
    """
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InputError(f"unknown role(s) {unknown}; known: {sorted(ROLES)}", parameter="roles")
    return [name for name, role in COLUMN_ROLES.items() if role in roles]


def period_mask(month: Any, period: str) -> np.ndarray:
    """Return which rows belong to ``period``, from their month (1-12).

    Parameters
    ----------
    month : array-like of int
        The month of each row.
    period : {"development", "test", "all"}
        January-October, November-December, or every month.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> period_mask([1, 10, 11, 12], "development").tolist()
    [True, True, False, False]
    """
    if period not in PERIODS:
        raise InputError(
            f"unknown period {period!r}; choose one of {', '.join(PERIODS)}", parameter="period"
        )
    months = np.asarray(month)
    if period == "all":
        return np.ones(months.shape, dtype=bool)
    chosen = DEVELOPMENT_MONTHS if period == "development" else TEST_MONTHS
    return np.isin(months, chosen)


def policy_table(columns: Any = None) -> pd.DataFrame:
    """Return the policy as a table: role, how a clean model uses the column, and why not.

    Parameters
    ----------
    columns : sequence of str, optional
        Keep these columns only (those of a frame, say), in the policy's order.

    Returns
    -------
    pandas.DataFrame
        Index ``column``; columns ``role``, ``used as`` (``categorical``,
        ``numeric`` or ``–``) and ``reason left out``.

    Examples
    --------
    >>> policy_table(["hour", "dep_delay"])["used as"].tolist()
    ['numeric', '–']
    """
    names = [n for n in POLICY if columns is None or n in set(columns)]
    table = pd.DataFrame(
        {
            "role": [POLICY[n].role for n in names],
            "used as": [POLICY[n].use or "–" for n in names],
            "reason left out": [POLICY[n].reason if POLICY[n].use is None else "" for n in names],
        },
        index=pd.Index(names, name="column"),
    )
    return table
