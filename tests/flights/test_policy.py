"""Tests of mlstack.flights.policy: the one table of the flights task's columns."""

import numpy as np
import pytest

from mlstack.errors import InputError
from mlstack.flights import policy
from mlstack.flights.data import task_data


def test_every_column_is_either_a_feature_or_excluded_with_a_reason():
    for name, column in policy.POLICY.items():
        assert column.role in policy.ROLES, name
        assert (column.use is None) == bool(column.reason.strip()), name


def test_every_column_the_task_returns_is_in_the_policy():
    X, _ = task_data(sample=300, include_leaky=True, period="all")
    assert set(X.columns) <= set(policy.POLICY)


def test_the_views_are_derived_from_the_one_table():
    assert set(policy.FEATURES) == {n for n, c in policy.POLICY.items() if c.use}
    assert set(policy.FEATURES).isdisjoint(policy.EXCLUDED)
    assert policy.FEATURES == (*policy.CATEGORICAL, *policy.NUMERIC)
    assert policy.COLUMN_ROLES["dep_delay"] == "post_departure"
    assert set(policy.POST_DEPARTURE) == set(policy.columns_with_role("post_departure")) - {
        "cancelled"
    }


def test_no_outcome_identifier_or_calendar_position_is_a_feature():
    forbidden = policy.columns_with_role("post_departure", "target", "identifier")
    forbidden += ["month", "day", "day_of_year", "sched_dep", "time_hour", "tailnum"]
    assert not set(forbidden) & set(policy.FEATURES)
    assert set(forbidden) - {"late", "rownames"} <= set(policy.EXCLUDED)


@pytest.mark.parametrize(
    ("period", "expected"),
    [("development", [True, False, False]), ("test", [False, True, True]), ("all", [True] * 3)],
    ids=["development", "test", "all"],
)
def test_period_mask_splits_the_year(period, expected):
    assert policy.period_mask(np.array([10, 11, 12]), period).tolist() == expected


def test_unknown_role_and_period_are_input_errors():
    with pytest.raises(InputError, match="unknown role"):
        policy.columns_with_role("weather", "gossip")
    with pytest.raises(InputError, match="unknown period 'spring'"):
        policy.period_mask([1], "spring")


def test_policy_table_lists_use_and_reason():
    table = policy.policy_table(["tailnum", "carrier", "not-a-column"])
    assert table.index.tolist() == ["carrier", "tailnum"]
    assert table.loc["carrier", "used as"] == "categorical"
    assert "identifier" in table.loc["tailnum", "reason left out"]
