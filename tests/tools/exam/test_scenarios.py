import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.tools.exam import SCENARIO_BASES, SCENARIO_KINDS, behaves, diagnose, measure, plant
from mlstack.tools.leakage import KINDS


def test_every_cause_the_audit_knows_can_be_planted():
    # pinned: the exam derives the cause from the seed in this order
    assert SCENARIO_KINDS == KINDS
    assert all(SCENARIO_BASES[kind] for kind in SCENARIO_KINDS)


@pytest.mark.parametrize(
    ("kind", "seed"),
    [("identifier", 0), ("group_overlap", 1), ("target_proxy", 2)],
    ids=["identifier-seed-0", "shared-states-seed-1", "target-proxy-seed-2"],
)
def test_a_planted_scenario_is_great_on_validation_poor_on_test_and_diagnosable(kind, seed):
    table = SCENARIO_BASES[kind][0]
    scenario = plant(kind, table, np.random.default_rng(seed))
    measured = measure(scenario, n_resamples=300)
    fine, why = behaves(measured)
    assert fine, why
    assert measured.test.high < measured.validation.low
    found = diagnose(
        scenario.train,
        scenario.validation,
        scenario.test,
        scenario.target,
        time=table.time,
        group=table.group,
    )
    assert (found.kind, found.columns) == (kind, scenario.columns), found.reason


def test_oversampling_before_the_split_copies_training_rows_into_validation():
    table = SCENARIO_BASES["duplicate_rows"][0]
    scenario = plant("duplicate_rows", table, np.random.default_rng(0))
    copies = scenario.validation.merge(scenario.train.drop_duplicates(), how="inner")
    in_test = scenario.test.merge(scenario.train.drop_duplicates(), how="inner")
    assert len(copies) > 0.1 * len(scenario.validation)
    assert len(in_test) == 0
    share = (scenario.train[table.target] == table.positive).mean()
    assert 0.4 < share < 0.6  # balanced by the copies


def test_the_other_causes_are_planted_where_they_say():
    rng = np.random.default_rng(0)
    time = SCENARIO_BASES["temporal_overlap"][0]
    late = plant("temporal_overlap", time, rng)
    assert pd.to_datetime(late.test[time.time]).min() > pd.to_datetime(late.train[time.time]).max()
    shift = SCENARIO_BASES["distribution_shift"][0]
    shifted = plant("distribution_shift", shift, rng)
    column = shift.name("shift")
    assert shifted.test[column].min() > shifted.validation[column].max()
    proxy = plant("target_proxy", SCENARIO_BASES["target_proxy"][0], rng)
    assert proxy.test[proxy.columns[0]].isna().all()
    assert proxy.train[proxy.columns[0]].notna().all()


def test_an_unknown_cause_is_an_input_error():
    with pytest.raises(InputError, match="kind 'leak': choose one of duplicate_rows"):
        plant("leak", SCENARIO_BASES["identifier"][0], np.random.default_rng(0))
