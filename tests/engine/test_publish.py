"""Publishing moves a notebook's staged files into reports/ and cleans up after it."""

from __future__ import annotations

import pytest

from mlstack.engine.manifest import read_manifest, record_notebook
from mlstack.engine.planning import NotebookResult
from mlstack.engine.publish import output_conflicts, previous_outputs, publish, publish_result


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def _stage(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_publish_replaces_files_and_removes_what_the_new_run_no_longer_writes(tmp_path):
    reports, staging = tmp_path / "reports", tmp_path / "staging"
    _stage(
        reports,
        {"01_a.md": "old", "01_a_files/old.png": "o", "timings/01_a.json": "1", "other.md": "x"},
    )
    _stage(staging, {"01_a.md": "new", "01_a_files/new.png": "n"})
    previous = ["01_a.md", "01_a_files/old.png", "timings/01_a.json"]
    publish(staging, reports, ["01_a.md", "01_a_files/new.png"], previous)
    assert _files(reports) == {"01_a.md": "new", "01_a_files/new.png": "n", "other.md": "x"}
    assert not (reports / "timings").exists()  # emptied directories go too


def test_a_conflicting_notebook_is_not_published(tmp_path):
    reports, staging = tmp_path / "reports", tmp_path / "staging"
    _stage(reports, {"model_card.md": "from 08"})
    record_notebook(reports, "08_model", {"outputs": ["model_card.md"]})
    _stage(staging, {"09_x.md": "report", "model_card.md": "from 09"})
    result = NotebookResult(
        "09_x", "ok", outputs=["09_x.md", "model_card.md"], staging_dir=str(staging)
    )
    assert publish_result(result, reports, "default").status == "failed"
    assert (
        result.error
        == "writes a file it does not own: model_card.md is written by notebook 08_model"
    )
    assert (reports / "model_card.md").read_text() == "from 08"
    assert not (reports / "09_x.md").exists()
    assert "09_x" not in read_manifest(reports)["notebooks"]


def test_a_published_notebook_is_recorded_with_its_outputs_and_timings_flag(tmp_path):
    reports, staging = tmp_path / "reports", tmp_path / "staging"
    _stage(staging, {"01_a.md": "report", "timings/01_a.json": "{}"})
    result = NotebookResult(
        "01_a",
        "ok",
        outputs=["01_a.md", "timings/01_a.json"],
        timings=True,
        staging_dir=str(staging),
        headline="fast",
    )
    publish_result(result, reports, "default")
    entry = read_manifest(reports)["notebooks"]["01_a"]
    assert entry["outputs"] == ["01_a.md", "timings/01_a.json"]
    assert entry["timings"] is True and entry["headline"] == "fast"
    assert _files(reports)["timings/01_a.json"] == "{}"


@pytest.mark.parametrize(
    ("outputs", "conflicts"),
    [
        (["02_b.md", "timings/02_b.json"], []),
        (["timings/frames.json"], ["timings/frames.json is written by mlstack bench frames"]),
        (["README.md"], ["README.md is written by mlstack reproduce"]),
        (["exit-test/mine/report.md"], []),
        (["01_a.md"], ["01_a.md is written by notebook 01_a"]),
    ],
    ids=["own-files", "benchmark-file", "index", "exit-test-run", "other-notebook"],
)
def test_output_conflicts(outputs, conflicts):
    manifest = {"notebooks": {"01_a": {"outputs": ["01_a.md"]}, "02_b": {"outputs": ["02_b.md"]}}}
    assert output_conflicts("02_b", outputs, manifest) == conflicts


def test_previous_outputs_of_an_old_manifest_are_the_report_and_its_figures(tmp_path):
    _stage(tmp_path, {"01_a.md": "r", "01_a_files/f.png": "f", "01_a_other.md": "x"})
    assert previous_outputs({}, "01_a", tmp_path) == ["01_a.md", "01_a_files/f.png"]
    assert previous_outputs({"outputs": ["01_a.md"]}, "01_a", tmp_path) == ["01_a.md"]
