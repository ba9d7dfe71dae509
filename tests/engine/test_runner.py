"""The reproduce engine on tiny fixture notebooks: incremental, atomic, deterministic, stoppable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from mlstack.engine.manifest import read_manifest
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


WRITES_A_FILE = """
from mlstack.utils.paths import reports_dir
note = reports_dir() / "notes" / "alpha.txt"
note.parent.mkdir(parents=True, exist_ok=True)
note.write_text(f"n = {n}")
"""


def test_files_a_notebook_writes_are_published_recorded_and_cleaned_up(project):
    _notebook(project["notebooks_dir"] / "01_alpha.ipynb", GOOD, FIGURE, WRITES_A_FILE)
    _run(project, "01")
    reports = project["reports_dir"]
    assert (reports / "notes" / "alpha.txt").read_text() == "n = 4"
    outputs = read_manifest(reports)["notebooks"]["01_alpha"]["outputs"]
    figure = next(name for name in outputs if name.startswith("01_alpha_files/"))
    assert outputs == ["01_alpha.md", figure, "notes/alpha.txt"]
    _notebook(project["notebooks_dir"] / "01_alpha.ipynb", GOOD)
    _run(project, "01")
    assert not (reports / "notes").exists() and not (reports / "01_alpha_files").exists()
    assert read_manifest(reports)["notebooks"]["01_alpha"]["outputs"] == ["01_alpha.md"]


TOYPKG = {
    "toypkg/__init__.py": "",
    "toypkg/lessons/__init__.py": "",
    "toypkg/lessons/alpha.py": "def value():\n    return 'alpha one'\n",
    "toypkg/lessons/beta.py": "def value():\n    return 'beta one'\n",
}


def test_dry_run_names_the_changed_module_and_only_its_notebook_reruns(project, monkeypatch):
    root = project["notebooks_dir"].parent
    for name, text in TOYPKG.items():
        (root / "lib" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "lib" / name).write_text(text)
    monkeypatch.setenv("PYTHONPATH", str(root / "lib"))  # the kernels import toypkg
    for stem in ("01_alpha", "02_beta"):
        module = stem.split("_")[1]
        code = f"from toypkg.lessons.{module} import value\nprint(value())"
        _notebook(project["notebooks_dir"] / f"{stem}.ipynb", code)
    run = {**project, "root": root, "package": "toypkg"}
    assert _statuses(_run(run)[0]) == {"01_alpha": "ok", "02_beta": "ok"}
    (root / "lib" / "toypkg" / "lessons" / "alpha.py").write_text(
        "def value():\n    return 'alpha two'\n"
    )
    dry, lines = _run(run, dry_run=True)
    assert _statuses(dry) == {"01_alpha": "stale", "02_beta": "skipped"}
    assert "stale   01_alpha   (changed: lib: toypkg/lessons/alpha.py)" in lines
    again, _ = _run(run)
    assert _statuses(again) == {"01_alpha": "ok", "02_beta": "skipped"}
    assert "alpha two" in (project["reports_dir"] / "01_alpha.md").read_text()


SLEEPS = """
import os, pathlib, time
pathlib.Path(os.environ["KERNEL_PID_FILE"]).write_text(str(os.getpid()))
time.sleep(300)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_kernels_names_the_unfinished_and_keeps_old_reports(tmp_path, signum):
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    (notebooks / "params" / "default.toml").write_text("[all]\nn = 1\n")
    _notebook(notebooks / "01_sleepy.ipynb", SLEEPS)
    _notebook(notebooks / "02_later.ipynb", GOOD)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "01_sleepy.md").write_text("previous report\n")
    pid_file = tmp_path / "kernel.pid"
    env = {**os.environ, "MLSTACK_ROOT": str(tmp_path), "KERNEL_PID_FILE": str(pid_file)}
    env.pop("MLSTACK_REPORTS_DIR", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "mlstack", "reproduce", "-j", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not pid_file.exists() or not pid_file.read_text():
            assert run.poll() is None and time.monotonic() < deadline, "the kernel never started"
            time.sleep(0.2)
        kernel = psutil.Process(int(pid_file.read_text()))
        run.send_signal(signum)
        output, _ = run.communicate(timeout=60)
    finally:
        run.kill()
    psutil.wait_procs([kernel], timeout=5)
    assert not kernel.is_running(), "the kernel outlived the run"
    assert run.returncode == 128 + signum
    name = signal.Signals(signum).name
    assert f"interrupted by {name}: 01_sleepy, 02_later did not finish" in output
    assert "0 ran, 0 up to date, 0 failed, 2 did not finish (interrupted)" in output
    assert (reports / "01_sleepy.md").read_text() == "previous report\n"
    assert not (reports / "02_later.md").exists()
