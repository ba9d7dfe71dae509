"""Every file under reports/ has one owner: the notebook that wrote it, or a documented command."""

from __future__ import annotations

import json

import pytest

from mlstack.engine.manifest import (
    COMMAND_OUTPUTS,
    command_owners,
    file_owners,
    read_manifest,
    record_notebook,
    record_run_times,
    report_files,
)
from mlstack.engine.notebooks import discover_notebooks
from mlstack.utils.paths import notebooks_dir, repo_root


@pytest.mark.parametrize(
    ("relative", "owners"),
    [
        ("README.md", ["mlstack reproduce"]),
        ("timings/reproduce-default.json", ["mlstack reproduce"]),
        ("frames_bench_files/time_vs_rows.png", ["mlstack bench frames"]),
        ("timings/csv_bench.json", ["mlstack bench csv"]),
        ("exit-test/quality.md", ["mlstack bench exit-test-quality"]),
        ("exit-test/my_table/report.md", ["mlstack exit-test"]),
        ("exit-test/my_table/figures/target.png", ["mlstack exit-test"]),
        ("timings/leakage_bench.json", ["mlstack leakage-bench"]),
        ("timings/01_vectorization.json", []),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_documented_commands_own_their_files(relative, owners):
    assert command_owners(relative) == owners


def test_command_patterns_do_not_overlap():
    for command, patterns in COMMAND_OUTPUTS.items():
        for pattern in patterns:
            example = pattern.replace("*", "x")
            assert command_owners(example) == [command], pattern


def test_a_notebook_claim_wins_over_a_command_pattern():
    manifest = {"notebooks": {"14_exit": {"outputs": ["exit-test/aer/report.md"]}}}
    owners = file_owners(manifest, ["exit-test/aer/report.md", "exit-test/other/report.md"])
    assert owners == {
        "exit-test/aer/report.md": ["notebook 14_exit"],
        "exit-test/other/report.md": ["mlstack exit-test"],
    }


def test_two_notebooks_claiming_one_file_are_both_named():
    manifest = {"notebooks": {"01_a": {"outputs": ["x.md"]}, "02_b": {"outputs": ["x.md"]}}}
    assert file_owners(manifest, ["x.md"]) == {"x.md": ["notebook 01_a", "notebook 02_b"]}


def test_recording_a_notebook_keeps_the_others_and_sorts(tmp_path):
    record_notebook(tmp_path, "02_b", {"outputs": ["02_b.md"]})
    record_notebook(tmp_path, "01_a", {"outputs": ["01_a.md"]})
    record_notebook(tmp_path, "02_b", {"outputs": ["02_b.md", "timings/02_b.json"]})
    manifest = read_manifest(tmp_path)
    assert list(manifest["notebooks"]) == ["01_a", "02_b"]
    assert manifest["notebooks"]["02_b"]["outputs"] == ["02_b.md", "timings/02_b.json"]


def test_run_times_accumulate_per_parameter_set(tmp_path):
    record_run_times(tmp_path, "smoke", {"01_a": 1.234})
    record_run_times(tmp_path, "smoke", {"02_b": 2.0})
    record_run_times(tmp_path, "smoke", {})
    times = json.loads((tmp_path / "timings" / "reproduce-smoke.json").read_text())
    assert times == {"01_a": {"repeat": 1, "times": [1.23]}, "02_b": {"repeat": 1, "times": [2.0]}}


def test_run_times_of_the_older_shape_are_rewritten_with_their_values(tmp_path):
    (tmp_path / "timings").mkdir()
    path = tmp_path / "timings" / "reproduce-smoke.json"
    path.write_text(json.dumps({"01_a": {"seconds": 1.5}}))
    record_run_times(tmp_path, "smoke", {"02_b": 2.0})
    times = json.loads(path.read_text())
    assert times == {"01_a": {"repeat": 1, "times": [1.5]}, "02_b": {"repeat": 1, "times": [2.0]}}


def test_every_committed_report_file_has_exactly_one_owner():
    """The check a reader relies on: who wrote each file under reports/, and is it a timings run."""
    reports = repo_root() / "reports"
    manifest = read_manifest(reports)
    entries = manifest.get("notebooks", {})
    old = sorted(stem for stem, entry in entries.items() if "outputs" not in entry)
    assert old == [], (
        f"the manifest entries of {old} predate the record of outputs; "
        "run `make reproduce-force` to regenerate reports/"
    )
    owners = file_owners(manifest, report_files(reports))
    unowned = [name for name, who in owners.items() if not who]
    shared = {name: who for name, who in owners.items() if len(who) > 1}
    assert unowned == [], f"files no notebook or command writes: {unowned}"
    assert shared == {}, f"files with several writers: {shared}"
    missing = sorted(
        f"{stem}: {name}"
        for stem, entry in entries.items()
        for name in entry["outputs"]
        if not (reports / name).is_file()
    )
    assert missing == [], f"files the manifest lists but reports/ lacks: {missing}"
    notebooks = {path.stem for path in discover_notebooks(notebooks_dir())}
    assert set(entries) == notebooks


def test_report_files_leave_out_checkpoints_and_temporary_files(tmp_path):
    for name in ("a.md", "a_files/f.png", ".ipynb_checkpoints/a-checkpoint.md", ".b.md.x.tmp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert report_files(tmp_path) == ["a.md", "a_files/f.png"]
    assert report_files(tmp_path, "*.md") == ["a.md"]
