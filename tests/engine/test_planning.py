"""Planning: only the notebooks whose inputs changed run, and the plan says why."""

from __future__ import annotations

import nbformat
import pytest

from mlstack.engine.inputs import InputReader
from mlstack.engine.manifest import record_notebook
from mlstack.engine.planning import NotebookResult, Project, plan, select_notebooks
from mlstack.engine.publish import manifest_entry
from mlstack.errors import ReproduceError

PACKAGE = {
    "toypkg/__init__.py": "from toypkg.errors import Oops\n",
    "toypkg/errors.py": "class Oops(Exception):\n    pass\n",
    "toypkg/lessons/__init__.py": "",
    "toypkg/lessons/alpha.py": "def alpha():\n    return 1\n",
    "toypkg/lessons/beta.py": "def beta():\n    return 2\n",
}


def _notebook(path, code):
    nb = nbformat.v4.new_notebook()
    title = nbformat.v4.new_markdown_cell(f"# {path.stem}\n\nDoes it plan?\n\nAnswers: V1")
    params = nbformat.v4.new_code_cell("n = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [title, params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path):
    for name, text in PACKAGE.items():
        path = tmp_path / "lib" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    (notebooks / "params" / "default.toml").write_text("[all]\nn = 2\n")
    _notebook(notebooks / "01_alpha.ipynb", "from toypkg.lessons.alpha import alpha")
    _notebook(notebooks / "02_beta.ipynb", "from toypkg.lessons import beta")
    return Project(tmp_path, notebooks, tmp_path / "reports", tmp_path / "build", "toypkg")


def _reader(project):
    return InputReader(project.root / "lib", project.root / "uv.lock", "toypkg", "d" * 64)


def _pretend_everything_ran(project):
    """Record every notebook in the manifest as a successful run would."""
    jobs, _ = plan(project, reader=_reader(project))
    for job in jobs:
        (project.reports_dir / f"{job.stem}.md").parent.mkdir(parents=True, exist_ok=True)
        (project.reports_dir / f"{job.stem}.md").write_text("report")
        result = NotebookResult(job.stem, "ok", input_hash=job.inputs.digest, inputs=job.inputs)
        record_notebook(project.reports_dir, job.stem, manifest_entry(result, "default"))


def _plan(project, **kwargs):
    jobs, skipped = plan(project, reader=_reader(project), **kwargs)
    return {job.stem: job.reasons for job in jobs}, [result.stem for result in skipped]


def test_everything_runs_the_first_time_and_nothing_the_second(project):
    stale, skipped = _plan(project)
    assert stale == {"01_alpha": ["no report yet"], "02_beta": ["no report yet"]}
    _pretend_everything_ran(project)
    assert _plan(project) == ({}, ["01_alpha", "02_beta"])


def test_changing_a_module_one_notebook_uses_stales_that_notebook_and_names_the_module(project):
    _pretend_everything_ran(project)
    module = project.root / "lib" / "toypkg" / "lessons" / "alpha.py"
    module.write_text(module.read_text() + "\n# one more line\n")
    assert _plan(project) == ({"01_alpha": ["lib: toypkg/lessons/alpha.py"]}, ["02_beta"])


def test_a_module_every_notebook_imports_stales_them_all(project):
    _pretend_everything_ran(project)
    (project.root / "lib" / "toypkg" / "errors.py").write_text(
        "class Oops(ValueError):\n    pass\n"
    )
    stale, skipped = _plan(project)
    assert stale == {stem: ["lib: toypkg/errors.py"] for stem in ("01_alpha", "02_beta")}
    assert skipped == []


def test_force_runs_up_to_date_notebooks_and_says_so(project):
    _pretend_everything_ran(project)
    assert _plan(project, force=True)[0] == {"01_alpha": ["forced"], "02_beta": ["forced"]}


def test_a_missing_report_makes_its_notebook_run(project):
    _pretend_everything_ran(project)
    (project.reports_dir / "02_beta.md").unlink()
    assert list(_plan(project)[0]) == ["02_beta"]


@pytest.mark.parametrize(
    ("names", "chosen"),
    [
        ((), ["01_alpha", "02_beta"]),
        (["02"], ["02_beta"]),
        (["01_alpha.ipynb", "01"], ["01_alpha"]),
    ],
    ids=["all", "by-number", "by-file-name-once"],
)
def test_notebooks_are_selected_by_number_or_name(project, names, chosen):
    notebooks = sorted(project.notebooks_dir.glob("*.ipynb"))
    assert [path.stem for path in select_notebooks(notebooks, names)] == chosen


def test_an_unknown_notebook_is_an_error_that_names_the_known_ones(project):
    notebooks = sorted(project.notebooks_dir.glob("*.ipynb"))
    with pytest.raises(
        ReproduceError, match=r"no notebook named '07' \(known: 01_alpha, 02_beta\)"
    ):
        select_notebooks(notebooks, ["07"])
