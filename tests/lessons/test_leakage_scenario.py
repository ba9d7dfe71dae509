import numpy as np
import pytest

from mlstack.flights.policy import POST_DEPARTURE
from mlstack.lessons import leakage_scenario as scenario
from mlstack.tools.lint.checks import lint_source


def test_analyst_script_lints_to_the_scaler_fitted_before_the_split():
    findings = lint_source(scenario.ANALYST_SCRIPT, path="analyst_script.py")
    assert [(f.rule, f.line) for f in findings] == [("AP3", 12)]
    assert "fit_transform" in scenario.ANALYST_SCRIPT.splitlines()[11]


def test_at_scheduling_time_blanks_only_the_post_departure_columns():
    frame = scenario.flights_frame(sample_rows=300)
    blank = scenario.at_scheduling_time(frame)
    assert blank[list(POST_DEPARTURE)].isna().all().all()
    kept = [c for c in frame.columns if c not in POST_DEPARTURE]
    assert blank[kept].equals(frame[kept])
    assert frame["dep_delay"].notna().any()  # the input is left alone


@pytest.mark.slow
def test_analyst_script_shows_great_validation_and_terrible_test():
    flights = scenario.flights_frame(sample_rows=4000)
    export = flights[flights["month"] <= 10]
    deployment = scenario.at_scheduling_time(flights[flights["month"] > 10])
    distance = deployment["distance"].to_numpy(copy=True)
    result = scenario.run_analyst_script(export, deployment)
    assert result["valid_auc"] > 0.95
    assert result["test_auc"] < 0.6
    np.testing.assert_array_equal(deployment["distance"], distance)  # the script scaled a copy
