"""Tests of mlstack.flights.forecast: weather stand-ins known the day before."""

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.flights.forecast import forecast_weather, weather_stand_in


def _weather(days: int = 40) -> pd.DataFrame:
    when = pd.date_range("2013-03-01 05:00", periods=days * 24, freq="h", tz="UTC")
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(
            {
                "origin": origin,
                "time_hour": when,
                "hour": (when.hour - 5) % 24,
                "temp": rng.normal(50, 10, len(when)),
                "wind_dir": rng.uniform(0, 360, len(when)),
            }
        )
        for origin in ("EWR", "JFK")
    ]
    return pd.concat(frames, ignore_index=True)


def test_previous_day_is_the_observation_24_hours_earlier():
    weather = _weather()
    stand_in = weather_stand_in(weather, "previous_day").set_index(["origin", "time_hour"])
    observed = weather.set_index(["origin", "time_hour"])
    key = ("JFK", pd.Timestamp("2013-03-10 12:00", tz="UTC"))
    earlier = ("JFK", pd.Timestamp("2013-03-09 12:00", tz="UTC"))
    assert stand_in.loc[key, "temp"] == observed.loc[earlier, "temp"]
    assert stand_in.loc[("EWR", weather["time_hour"].min()), ["temp"]].isna().all()


def test_climatology_uses_only_earlier_days_of_the_same_hour():
    weather = _weather()
    changed = weather.copy()
    today = changed["time_hour"] == pd.Timestamp("2013-03-20 12:00", tz="UTC")
    changed.loc[today, "temp"] += 100  # today's observation must not move today's stand-in
    first, second = (weather_stand_in(w, "climatology") for w in (weather, changed))
    np.testing.assert_allclose(first.loc[today, "temp"], second.loc[today, "temp"])
    same_hour = weather[
        (weather["origin"] == "JFK") & (weather["hour"] == weather.loc[today, "hour"].iloc[0])
    ]
    earlier = same_hour[same_hour["time_hour"] < pd.Timestamp("2013-03-20 12:00", tz="UTC")]
    expected = earlier["temp"].tail(30).mean()
    jfk_today = today & (weather["origin"] == "JFK")
    assert first.loc[jfk_today, "temp"].item() == pytest.approx(expected)


def test_climatology_averages_wind_directions_as_angles():
    when = pd.date_range("2013-01-01 06:00", periods=3, freq="D", tz="UTC")
    weather = pd.DataFrame(
        {"origin": "LGA", "time_hour": when, "hour": 1, "wind_dir": [350.0, 10.0, 90.0]}
    )
    assert weather_stand_in(weather, "climatology")["wind_dir"].iloc[2] == pytest.approx(0.0)


def test_forecast_weather_replaces_only_the_weather_columns():
    weather = _weather()
    flights = weather.iloc[::37][["origin", "time_hour"]].assign(
        carrier="AA", temp=1.0, wind_dir=2.0
    )
    flights.index = flights.index + 1000
    out = forecast_weather(flights, "previous_day", weather=weather)
    assert out.index.equals(flights.index) and list(out.columns) == list(flights.columns)
    assert (out["carrier"] == "AA").all()
    expected = weather_stand_in(weather, "previous_day").iloc[::37]["temp"].to_numpy()
    np.testing.assert_array_equal(out["temp"].to_numpy(), expected)


def test_unknown_forecast_names_the_parameter():
    with pytest.raises(InputError, match="unknown forecast 'radar'") as info:
        weather_stand_in(_weather(2), "radar")
    assert info.value.parameter == "how"
