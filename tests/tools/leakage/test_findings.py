import numpy as np
import pandas as pd
import pytest

from mlstack.tools.leakage import Finding, audit, format_findings
from mlstack.tools.leakage.findings import rank_findings, severity_of_share


def test_findings_of_equal_severity_are_ordered_by_evidence():
    """An identifier that gives the label away comes before '0 exact duplicates'."""
    rng = np.random.default_rng(0)
    n = 1200
    frame = pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 4, n)})
    frame["y"] = (frame["x"] + rng.normal(size=n) > 0).astype(int)
    frame = pd.concat([frame, frame.iloc[:150]], ignore_index=True)  # copies ...
    frame = frame.sort_values("y", kind="stable").reset_index(drop=True)
    frame.insert(0, "record_id", np.arange(len(frame)))  # ... numbered after sorting by y
    test = rng.random(len(frame)) < 0.25
    findings = audit(frame[~test], frame[test], "y")
    high = [f for f in findings if f.severity == "high"]
    assert [f.kind for f in high] == ["identifier", "duplicate_rows"], format_findings(findings)
    assert high[1].evidence["count"] == 0  # no exact duplicate: the ids differ
    assert high[0].score > high[1].score
    assert high[0].score == pytest.approx(2 * high[0].evidence["train_score"] - 1, abs=1e-3)


def test_rank_findings_orders_by_severity_then_score_then_kind():
    findings = [
        Finding("temporal_overlap", ["t"], "low", score=0.9),
        Finding("duplicate_rows", [], "high", score=0.06),
        Finding("target_proxy", ["a", "b"], "high", score=0.97),
        Finding("group_overlap", ["g"], "high", score=0.06),
    ]
    ranked = rank_findings(findings)
    assert [f.kind for f in ranked] == [
        "target_proxy",
        "duplicate_rows",
        "group_overlap",
        "temporal_overlap",
    ]


def test_finding_to_dict_carries_the_score():
    finding = Finding("temporal_overlap", ["t"], "high", {"x": 1}, "split by time", 0.4)
    assert finding.to_dict() == {
        "kind": "temporal_overlap",
        "columns": ["t"],
        "severity": "high",
        "score": 0.4,
        "evidence": {"x": 1},
        "advice": "split by time",
    }


def test_describe_of_a_hand_made_finding_shows_its_evidence():
    assert Finding("duplicate_rows", [], "low", {"x": 1}).describe() == "x=1"


@pytest.mark.parametrize(
    ("share", "count", "severity"),
    [
        (0.2, 50, "high"),
        (0.05, 5, "high"),
        (0.02, 50, "medium"),
        (0.005, 50, "low"),
        (0.5, 4, "low"),
    ],
    ids=["high", "at-5-percent", "medium", "low", "too-few-rows"],
)
def test_severity_of_share(share, count, severity):
    assert severity_of_share(share, count) == severity
