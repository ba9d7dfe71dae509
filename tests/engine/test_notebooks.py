"""Every committed notebook follows the repository's conventions."""

from __future__ import annotations

import json

import pytest

from mlstack.engine.hygiene import problems
from mlstack.engine.notebooks import discover_notebooks, notebook_info, source_hash
from mlstack.engine.report_index import render_index
from mlstack.utils.paths import notebooks_dir, reports_dir

NOTEBOOKS = discover_notebooks(notebooks_dir())
IDS = [path.stem for path in NOTEBOOKS]


def test_there_are_numbered_notebooks_with_unique_numbers():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb"
    numbers = [path.stem[:2] for path in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), numbers
    strays = sorted(p.name for p in notebooks_dir().glob("*.ipynb") if p not in NOTEBOOKS)
    assert strays == [], f"notebooks without a number: {strays}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_states_title_question_and_answers(path):
    info = notebook_info(path)
    assert info.title != path.stem, "first cell needs an H1 title"
    assert info.question, "first cell needs a paragraph stating the question"
    assert info.answers, "first cell needs a line 'Answers: ID ...'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stripped_except_kept_cells(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", "run `make strip`"
    for index, cell in enumerate(nb["cells"], start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code":
            continue
        if "keep_output" in tags:
            assert "nbval-check-output" in tags, f"cell {index}: kept outputs are checked by nbval"
        else:
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"
            assert not cell.get("outputs"), f"cell {index} has outputs; run `make strip`"
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_a_parameters_cell_and_a_headline(path):
    info = notebook_info(path)
    assert len(info.tags.get("parameters", [])) == 1, "exactly one cell tagged 'parameters'"
    assert len(info.tags.get("headline", [])) == 1, "exactly one cell tagged 'headline'"


def test_source_hash_ignores_outputs(tmp_path):
    path = NOTEBOOKS[0]
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
            cell["execution_count"] = 7
    copy = tmp_path / path.name
    copy.write_text(json.dumps(nb))
    assert source_hash(copy) == source_hash(path)
    nb["cells"][-1]["source"] = "changed"
    copy.write_text(json.dumps(nb))
    assert source_hash(copy) != source_hash(path)


def test_reports_index_agrees_with_the_notebooks():
    reports = reports_dir()
    manifest = json.loads((reports / "manifest.json").read_text())
    expected = render_index(reports, manifest)
    assert (reports / "README.md").read_text() == expected, (
        "run `make reproduce` to refresh reports/"
    )
    missing = [p.stem for p in NOTEBOOKS if not (reports / f"{p.stem}.md").exists()]
    assert missing == [], f"notebooks without a report: {missing}; run `make reproduce`"
    stale = sorted(set(manifest["notebooks"]) - set(IDS))
    assert stale == [], f"reports of notebooks that no longer exist: {stale}"


def test_reports_index_links_every_runbook():
    from mlstack.utils.paths import repo_root

    index = render_index(reports_dir(), {})
    line = next(line for line in index.splitlines() if line.startswith("- [Runbooks]"))
    runbooks = sorted((repo_root() / "runbooks").glob("*.md"))
    assert runbooks and line.count(";") == len(runbooks) - 1
    assert "take the exit test" in line
