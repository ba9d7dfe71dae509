"""The reproduce engine on tiny fixture notebooks: incremental, atomic, deterministic."""

from __future__ import annotations

import nbformat
import pytest

from mlstack.engine.runner import reproduce, summary_text

pytestmark = pytest.mark.slow

GOOD = """
import matplotlib.pyplot as plt
values = list(range(n))
print("sum", sum(values))
"""

FIGURE = """
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot(values)
ax.set_title("values")
plt.show()
"""


def _notebook(path, *cells, timings=False, exclusive=False):
    nb = nbformat.v4.new_notebook()
    title = nbformat.v4.new_markdown_cell(f"# {path.stem}\n\nDoes it run?\n\nAnswers: V1")
    params = nbformat.v4.new_code_cell("n = 3")
    params.metadata["tags"] = ["parameters"]
    code = [nbformat.v4.new_code_cell(src) for src in cells]
    headline = nbformat.v4.new_code_cell('print("headline", n)')
    headline.metadata["tags"] = ["headline"]
    nb.cells = [title, params, *code, headline]
    for index, cell in enumerate(nb.cells):
        cell["id"] = str(index)
    if timings or exclusive:
        nb.metadata["mlstack"] = {"timings": timings, "exclusive": exclusive}
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path):
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    (notebooks / "params" / "default.toml").write_text("[all]\nn = 4\n")
    (notebooks / "params" / "smoke.toml").write_text("[all]\nn = 2\n")
    _notebook(notebooks / "01_alpha.ipynb", GOOD, FIGURE)
    _notebook(notebooks / "02_beta.ipynb", GOOD)
    dirs = {
        "notebooks_dir": notebooks,
        "reports_dir": tmp_path / "reports",
        "build_dir": tmp_path / "build",
    }
    return dirs


def _run(project, *names, **kwargs):
    lines = []
    summary = reproduce(names, log=lines.append, **project, **kwargs)
    return summary, lines


def _statuses(summary):
    return {r.stem: r.status for r in summary.results}


def test_runs_exports_and_indexes_then_skips_when_nothing_changed(project):
    summary, lines = _run(project, n_jobs=2)
    assert _statuses(summary) == {"01_alpha": "ok", "02_beta": "ok"}
    reports = project["reports_dir"]
    report = (reports / "01_alpha.md").read_text()
    assert "sum 6" in report  # n = 4 from the default parameter set
    (figure,) = (reports / "01_alpha_files").glob("*.png")
    assert f"01_alpha_files/{figure.name}" in report
    assert not (reports / "02_beta_files").exists()
    index = (reports / "README.md").read_text()
    assert "[01_alpha](01_alpha.md)" in index and "headline 4" in index
    assert len(lines) == 2 and all(line.startswith("ok") for line in lines)

    again, lines = _run(project)
    assert _statuses(again) == {"01_alpha": "skipped", "02_beta": "skipped"}
    assert all("up to date" in line for line in lines)


def test_only_the_changed_notebook_reruns(project):
    _run(project)
    _notebook(project["notebooks_dir"] / "02_beta.ipynb", GOOD, "print('changed')")
    summary, _ = _run(project)
    assert _statuses(summary) == {"01_alpha": "skipped", "02_beta": "ok"}
    assert "changed" in (project["reports_dir"] / "02_beta.md").read_text()


def test_changed_parameters_rerun_and_named_set_is_used(project):
    _run(project)
    summary, _ = _run(project, params="smoke")
    assert _statuses(summary) == {"01_alpha": "ok", "02_beta": "ok"}
    assert "sum 1" in (project["reports_dir"] / "02_beta.md").read_text()


def test_failure_is_summarised_and_keeps_the_previous_report(project):
    _run(project)
    before = (project["reports_dir"] / "02_beta.md").read_bytes()
    _notebook(
        project["notebooks_dir"] / "02_beta.ipynb", GOOD, "raise ValueError('planted failure')"
    )
    summary, lines = _run(project, "02")
    assert not summary.ok
    (failure,) = summary.failed
    assert failure.stem == "02_beta"
    assert failure.error == "cell 4: ValueError: planted failure"
    assert "02_beta: cell 4: ValueError: planted failure" in summary_text(summary)
    assert lines == [line for line in lines if line.startswith("FAILED")]
    assert (project["reports_dir"] / "02_beta.md").read_bytes() == before
    # the failed notebook is not recorded as up to date
    rerun, _ = _run(project, "02")
    assert _statuses(rerun) == {"02_beta": "failed"}


def test_a_failing_notebook_does_not_stop_the_others(project):
    _notebook(project["notebooks_dir"] / "01_alpha.ipynb", "raise RuntimeError('boom')")
    summary, _ = _run(project, n_jobs=2)
    assert _statuses(summary) == {"01_alpha": "failed", "02_beta": "ok"}
    assert not (project["reports_dir"] / "01_alpha.md").exists()


def test_forced_runs_give_byte_identical_reports(project):
    _run(project)
    reports = project["reports_dir"]
    first = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    _run(project, force=True)
    second = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    changed = [
        str(name) for name in first if first[name] != second[name] and "timings" not in str(name)
    ]
    assert changed == []


def test_memory_addresses_make_a_report_fail(project):
    _notebook(project["notebooks_dir"] / "02_beta.ipynb", "object()")
    summary, _ = _run(project, "02_beta")
    (failure,) = summary.failed
    assert "not reproducible" in failure.error and "memory address" in failure.error


def test_unknown_notebook_name_is_an_error(project):
    from mlstack.errors import ReproduceError

    with pytest.raises(ReproduceError, match="no notebook named '07'"):
        _run(project, "07")


def test_exclusive_notebooks_run_alone_after_the_others(project):
    _notebook(project["notebooks_dir"] / "01_alpha.ipynb", GOOD, timings=True, exclusive=True)
    summary, lines = _run(project, n_jobs=2)
    assert _statuses(summary) == {"01_alpha": "ok", "02_beta": "ok"}
    assert [line.split()[1] for line in lines] == ["02_beta", "01_alpha"]
