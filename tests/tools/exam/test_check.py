import pandas as pd

from mlstack.tools.exam import PART1_POOL, SCENARIO_BASES, format_check
from mlstack.tools.exam.check import check_part1_table, check_scenario


def test_a_part1_table_is_checked_against_a_dummy_and_the_audit():
    table = next(t for t in PART1_POOL if t.source == "modeldata/car_prices")
    row = check_part1_table(table, n_resamples=200)
    assert row["ok"] and row["vs_dummy"] == "better"
    assert row["low"] < row["score"] < row["high"]


def test_a_scenario_is_checked_and_the_report_says_whether_all_behave():
    row = check_scenario(
        "distribution_shift", SCENARIO_BASES["distribution_shift"][1], 0, n_resamples=200
    )
    assert row["ok"], row["behaves"]
    assert row["audit_names"] == "distribution_shift (cement)"
    part1 = pd.DataFrame(
        [
            {
                "table": "t",
                "target": "y",
                "task": "binary",
                "rows": 10,
                "metric": "roc_auc",
                "score": 0.9,
                "low": 0.8,
                "high": 0.95,
                "vs_dummy": "better",
                "findings": "-",
                "seconds": 1.0,
                "ok": True,
            }
        ]
    )
    text = format_check(part1, pd.DataFrame([row]))
    assert text.endswith("1 tables and 1 scenarios checked; all behave.")
    assert "| distribution_shift | modeldata/concrete |" in text
    bad = format_check(part1.assign(ok=False), pd.DataFrame([row]))
    assert bad.endswith("1 do not behave.") and "**no**" in bad


def test_skrub_default_is_deterministic_on_high_cardinality_text():
    import numpy as np

    from mlstack.tools.exam.scoring import fit_skrub_default, model_predictions

    rng = np.random.default_rng(0)
    words = np.array([f"city {i} {c}" for i, c in enumerate(rng.choice(list("abcdef"), 300))])
    X = pd.DataFrame({"city": words, "x": rng.normal(size=300)})
    y = pd.Series(np.where(X["x"] + rng.normal(size=300) > 0, "yes", "no"))
    runs = [
        model_predictions(fit_skrub_default(X, y, "binary"), X, "binary", "yes") for _ in range(2)
    ]
    np.testing.assert_array_equal(*runs)
