import json

import pandas as pd
import pytest

from mlstack.benchmarks import leakage_vs_deepchecks as bench
from mlstack.cli import main
from mlstack.errors import InputError


def _scenario(name):
    return next(s for s in bench.SCENARIOS if s.name == name)


def test_scenarios_plant_every_cause_and_keep_clean_splits():
    causes = {s.cause for s in bench.SCENARIOS}
    assert causes == {*bench.DEEPCHECKS_CHECKS, "none"}
    assert sum(s.cause == "none" for s in bench.SCENARIOS) >= 3
    assert len({s.name for s in bench.SCENARIOS}) == len(bench.SCENARIOS)


def test_build_scenarios_writes_the_pair_and_its_spec(tmp_path):
    built = bench.build_scenarios(tmp_path, only=["spam", "births"])
    assert [s.name for s in built] == ["births-random-days", "spam-numbered-by-label"]
    spam = tmp_path / "spam-numbered-by-label"
    train, test = (pd.read_csv(spam / f"{part}.csv") for part in ("train", "test"))
    spec = json.loads((spam / "spec.json").read_text())
    assert spec["cause"] == "identifier" and spec["columns"] == ["message_id"]
    assert spec["rows"] == [len(train), len(test)] and len(train) > 2 * len(test)
    # numbered after sorting by the label: the ids order the classes
    both = pd.concat([train, test]).sort_values("message_id")
    assert both["yesno"].is_monotonic_increasing
    births = json.loads((tmp_path / "births-random-days" / "spec.json").read_text())
    assert births["datetime"] == "date" and "date" not in births["cat_features"]


def test_build_scenarios_rejects_an_unknown_name(tmp_path):
    with pytest.raises(InputError, match="no scenario matches"):
        bench.build_scenarios(tmp_path, only=["nope"])


def _mlstack(*findings, seconds=(1.0, 1.1, 1.0)):
    return {
        "findings": [
            {"kind": k, "columns": list(c), "severity": s, "score": 0.5} for k, c, s in findings
        ],
        "seconds": list(seconds),
    }


def _deepchecks(*failed, seconds=(20.0, 21.0, 22.0)):
    checks = [
        {"check": name, "conditions": [{"condition": "c", "outcome": "fail", "details": d}]}
        for name, d in failed
    ]
    checks.append(
        {
            "check": "Datasets Size Comparison",
            "conditions": [{"condition": "c", "outcome": "pass", "details": ""}],
        }
    )
    return {"checks": checks, "seconds": list(seconds)}


def test_judge_finds_the_cause_and_its_position_among_failures():
    scenario = _scenario("creditcard-twin-proxies")
    verdict = bench.judge(
        scenario,
        _mlstack(
            ("target_proxy", ["share", "expenditure"], "high"), ("identifier", ["id"], "low")
        ),
        _deepchecks(
            ("Feature Drift", "Found 1 feature: income"),
            ("Feature Label Correlation Change", "PPS above threshold: {'expenditure': '0.95'}"),
        ),
    )
    assert verdict["mlstack"]["named"] and verdict["mlstack"]["position"] == 1
    assert verdict["mlstack"]["failures"] == ["target_proxy (share, expenditure; high)"]
    assert verdict["deepchecks"]["named"] and verdict["deepchecks"]["position"] == 2
    assert len(verdict["deepchecks"]["failures"]) == 2
    assert verdict["mlstack"]["repeat"] == 3 and verdict["mlstack"]["times"] == [1.0, 1.1, 1.0]
    assert verdict["deepchecks"]["median"] == 21.0


def test_judge_needs_the_planted_columns_named():
    scenario = _scenario("creditcard-twin-proxies")
    verdict = bench.judge(
        scenario,
        _mlstack(("target_proxy", ["reports"], "medium")),
        _deepchecks(("Feature Label Correlation Change", "PPS above threshold: {'age': '0.8'}")),
    )
    assert not verdict["mlstack"]["named"] and not verdict["deepchecks"]["named"]


def test_judge_accepts_a_date_check_that_names_no_column():
    verdict = bench.judge(
        _scenario("births-random-days"),
        _mlstack(("temporal_overlap", ["date"], "high")),
        _deepchecks(("Date Train Test Leakage Overlap", "42% of test dates before train's last")),
    )
    assert verdict["mlstack"]["named"] and verdict["deepchecks"]["named"]


def _verdicts():
    twins = _scenario("creditcard-twin-proxies")
    groups = _scenario("mathachieve-shared-schools")
    clean = _scenario("titanic-clean")
    return [twins, groups, clean], [
        bench.judge(
            twins,
            _mlstack(("target_proxy", ["share", "expenditure"], "high")),
            _deepchecks(("Feature Label Correlation Change", "{'share': '0.9'}")),
        ),
        bench.judge(groups, _mlstack(("group_overlap", ["School"], "high")), _deepchecks()),
        bench.judge(
            clean,
            _mlstack(("duplicate_rows", [], "low"), seconds=(0.5, 0.6, 0.5)),
            _deepchecks(
                ("Train Test Samples Mix", "81.79%"),
                ("New Category Train Test", "x"),
                seconds=(0.55, 0.5, 0.6),
            ),
        ),
    ]


def test_render_report_builds_its_prose_from_the_results():
    scenarios, verdicts = _verdicts()
    text = bench.render_report(scenarios, verdicts, facts={"deepchecks": "0.19.1"})
    assert "mlstack 2 of 2, deepchecks 1 of 2" in text
    assert "named no cause that mlstack missed" in text
    assert "names the cause where deepchecks does not in `mathachieve-shared-schools`" in text
    assert "false alarms on the 1 clean splits: mlstack 0, deepchecks 1" in text
    assert "`New Category Train Test`" in text
    assert "faster on 2 of 3 cases" in text and "within noise on 1" in text
    assert "| `titanic-clean`" in text and "2: Train Test Samples Mix; New Category" in text
    assert "nothing (low hints: duplicate_rows)" in text


def test_render_report_says_where_deepchecks_does_better():
    scenarios, verdicts = _verdicts()
    verdicts[1]["deepchecks"]["named"], verdicts[1]["mlstack"]["named"] = True, False
    verdicts[1]["deepchecks"]["position"] = 1
    text = bench.render_report(scenarios, verdicts, facts={})
    assert "it names the cause where mlstack does not in `mathachieve-shared-schools`" in text


def test_cli_passes_its_arguments(monkeypatch, capsys, tmp_path):
    calls = []

    def run_comparison(**kwargs):
        calls.append(kwargs)
        return tmp_path / "r.md"

    monkeypatch.setattr(bench, "run_comparison", run_comparison)
    argv = ["leakage-vs-deepchecks", "--only", "clean", "--repeat", "5"]
    assert main([*argv, "--repeat-deepchecks", "1"]) == 0
    assert calls == [{"out": None, "only": ["clean"], "repeat_mlstack": 5, "repeat_deepchecks": 1}]
    assert "wrote" in capsys.readouterr().out


def test_proxy_calibration_rates_a_known_leak_high_on_every_split():
    (row,) = bench.proxy_calibration([("AER/CreditCard", "card", "leak")], seeds=2)
    assert row["severities"] == {"high": 2}
    assert row["lead_columns"] and set(row["lead_columns"]) <= {"expenditure", "share"}
    assert row["uncertainty_removed"][0] >= 0.77


def test_render_report_shows_the_calibration_table():
    scenarios, verdicts = _verdicts()
    rows = [
        {
            "table": "ISLR/Default",
            "target": "default",
            "note": "honest",
            "rows": 10_000,
            "lead_columns": ["balance"],
            "severities": {"low": 8},
            "strength": [0.8, 0.88],
            "uncertainty_removed": [0.35, 0.45],
        },
    ]
    text = bench.render_report(scenarios, verdicts, facts={}, calibration=rows)
    assert "at random 8 times" in text
    row = next(line for line in text.splitlines() if line.startswith("| ISLR/Default"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells == [
        "ISLR/Default",
        "`default` (honest)",
        "10,000",
        "`balance`",
        "low 8",
        "0.80-0.88",
        "0.35-0.45",
    ]
