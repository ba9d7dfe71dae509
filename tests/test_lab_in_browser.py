"""JupyterLab as a learner meets it, in a real browser (``make test-lab``).

Starts ``make lab`` on a free port with a token of its own, drives Debian's
Chromium headless through Playwright (pointed at the system browser: nothing is
downloaded), and checks what issue 15 asks of the lab: a notebook opens on the
project's kernel with no pop-up; a markdown report opens rendered, figures
loaded; every cell of a notebook runs with the smoke parameters without an
error and with its figures; and running and saving a committed notebook
leaves ``git status`` as it was.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from mlstack.engine.lab import refresh_git_index
from mlstack.engine.params import load_param_set, write_parameterized
from mlstack.utils.paths import notebooks_dir, repo_root

pytestmark = pytest.mark.lab

CHROMIUM = Path(os.environ.get("MLSTACK_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Run with the smoke parameters: it loads the data and draws figures.
SMOKE_NOTEBOOK = "02_eda"
#: Run as committed and saved, to check that git sees no change.
TRACKED_NOTEBOOK = "00_data_tour"
IDLE = re.compile(r"Python 3 \(mlstack\) \| Idle")
MS = 1000


@dataclass
class Lab:
    url: str
    token: str
    log: Path
    after_stop: list[Callable[[], None]] = field(default_factory=list)

    def address(self, path: str = "") -> str:
        """The lab's URL for ``path``, logged in, with a fresh workspace."""
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab{tree}?token={self.token}&reset"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(lab: Lab, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make lab exited:\n{lab.log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=5):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(
        f"JupyterLab did not answer within {timeout:.0f} s:\n{lab.log.read_text()[-3000:]}"
    )


def _stop(server: subprocess.Popen) -> None:
    """Stop ``make lab`` and everything it started (kernels run in sessions of their own)."""
    try:
        family = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    _, alive = psutil.wait_procs(family, timeout=10)
    for process in alive:
        process.kill()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    state = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    options = (
        f"--port {port} --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token} --LabApp.workspaces_dir={state / 'workspaces'} "
        f"--LabApp.user_settings_dir={state / 'settings'}"
    )
    log = state / "lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS={options}"],
            cwd=repo_root(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Lab(f"http://127.0.0.1:{port}", token, log)
    checkpoints = [repo_root() / d / ".ipynb_checkpoints" for d in ("notebooks", "reports")]
    existed = {path: path.exists() for path in checkpoints}
    try:
        _wait_until_serving(running, server, timeout=240)
        yield running
    finally:
        _stop(server)
        for undo in running.after_stop:  # once nothing can save a file any more
            undo()
        for path, was_there in existed.items():
            if not was_there:
                shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        pytest.fail(
            f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        )
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=LAUNCH_FLAGS
        )
        context.set_default_timeout(60 * MS)
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def _open_notebook(page, lab: Lab, path: str) -> None:
    page.goto(lab.address(path))
    page.get_by_text(IDLE).wait_for(timeout=120 * MS)
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    assert dialogs == [], f"a dialog covers the notebook: {dialogs}"


def _run_all_and_save(page, path: Path, timeout_s: float) -> dict:
    """Run every cell from the Run menu, save, and return the notebook as written to disk."""
    n_code = sum(c["cell_type"] == "code" for c in json.loads(path.read_text())["cells"])
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """(n) => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
            return prompts.filter(p => /^\\[\\d+\\]:$/.test(p.textContent.trim())).length === n;
        }""",
        arg=n_code,
        timeout=timeout_s * MS,
        polling=500,
    )
    page.get_by_text(IDLE).wait_for(timeout=timeout_s * MS)
    before = path.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").wait_for()
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.2)
    return json.loads(path.read_text())


def _errors(nb: dict) -> list[str]:
    return [
        f"cell {index}: {output['ename']}: {output['evalue']}"
        for index, cell in enumerate(nb["cells"], start=1)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def _loaded_images(page, selector: str) -> list[tuple[str, int]]:
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].every(img => img.complete)",
        arg=selector,
        polling=200,
    )
    return page.eval_on_selector_all(
        selector, "imgs => imgs.map(img => [img.getAttribute('src'), img.naturalWidth])"
    )


def _git_status() -> str:
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo_root(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_lab_shows_notebooks_and_reports_and_opens_a_notebook_without_pop_ups(page, lab):
    page.goto(lab.address())
    listing = page.locator(".jp-DirListing-item .jp-DirListing-itemText")
    listing.first.wait_for()
    assert {"notebooks", "reports"} <= set(listing.all_inner_texts())
    _open_notebook(page, lab, f"notebooks/{TRACKED_NOTEBOOK}.ipynb")
    assert page.locator(".jp-Notebook .jp-Cell").count() > 0
    page.wait_for_timeout(3 * MS)  # the news prompt, when enabled, comes a moment after loading
    toasts = " ".join(page.locator(".Toastify__toast").all_inner_texts())
    assert "news" not in toasts.lower(), f"JupyterLab's news pop-up is on: {toasts}"


def test_a_markdown_report_opens_rendered_with_its_figures(page, lab):
    reports = repo_root() / "reports"
    report = next(
        path
        for path in sorted(reports.glob("[0-9][0-9]_*.md"))
        if f"]({path.stem}_files/" in path.read_text(encoding="utf-8")
    )
    expected = report.read_text(encoding="utf-8").count(f"]({report.stem}_files/")
    page.goto(lab.address(f"reports/{report.name}"))
    page.locator(".jp-RenderedMarkdown img").first.wait_for()
    images = _loaded_images(page, ".jp-RenderedMarkdown img")
    assert len(images) == expected, f"{report.name}: {len(images)} of {expected} figures shown"
    broken = [src for src, width in images if width == 0]
    assert broken == [], f"{report.name}: figures that did not load: {broken}"
    assert page.locator(".jp-FileEditor").count() == 0, "the report opened as text, not rendered"


def test_every_cell_runs_with_smoke_parameters_without_errors_and_with_its_figures(page, lab):
    source = notebooks_dir() / f"{SMOKE_NOTEBOOK}.ipynb"
    copy = repo_root() / "build" / "test-lab" / source.name
    write_parameterized(source, copy, load_param_set(notebooks_dir() / "params", "smoke"))
    _open_notebook(page, lab, copy.relative_to(repo_root()).as_posix())
    saved = _run_all_and_save(page, copy, timeout_s=150)
    assert _errors(saved) == []
    figures = sum(
        "image/png" in output.get("data", {})
        for cell in saved["cells"]
        for output in cell.get("outputs", [])
    )
    images = _loaded_images(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea img")
    assert figures > 0 and len(images) == figures, f"{len(images)} of {figures} figures shown"
    assert [src for src, width in images if width == 0] == []


def test_running_and_saving_a_committed_notebook_leaves_git_status_as_it_was(page, lab):
    notebook = notebooks_dir() / f"{TRACKED_NOTEBOOK}.ipynb"
    before, original = _git_status(), notebook.read_bytes()

    def restore() -> None:  # the file as committed, and git's index told so
        notebook.write_bytes(original)
        refresh_git_index({"type": "notebook"}, str(notebook))

    lab.after_stop.append(restore)
    _open_notebook(page, lab, f"notebooks/{notebook.name}")
    saved = _run_all_and_save(page, notebook, timeout_s=120)
    assert _errors(saved) == []
    assert any(cell.get("outputs") for cell in saved["cells"]), "the run was not saved"
    assert _git_status() == before
