"""The reproduce engine: execute what changed, publish the reports, write the index.

``mlstack reproduce`` (and ``make reproduce``) runs the numbered notebooks with
papermill on a kernel that always is this project's own interpreter, with a
named parameter set, and exports each one with nbconvert to
``reports/NN_name.md`` plus its figures; then it writes the index
``reports/README.md``. The steps live in their own modules:

1. :mod:`~mlstack.engine.planning` compares each notebook's inputs
   (:mod:`~mlstack.engine.inputs`: its cells, parameters, the package modules
   it executes, the locked packages it imports, the data, the engine) with
   ``reports/manifest.json`` and keeps the stale ones;
2. :mod:`~mlstack.engine.workers` runs them in worker processes, two at a time
   by default, notebooks that measure the machine alone and last, and stops
   everything on Ctrl-C or SIGTERM;
3. :mod:`~mlstack.engine.execution` executes one notebook into its staging
   area under ``build/`` and exports its report (:mod:`~mlstack.engine.export`);
4. :mod:`~mlstack.engine.publish` moves what a successful notebook wrote into
   ``reports/`` and records it in the manifest (:mod:`~mlstack.engine.manifest`).

A failed or interrupted notebook is never published: its previous report
and files stay intact.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlstack.engine.execution import execute
from mlstack.engine.manifest import read_manifest, record_run_times
from mlstack.engine.planning import NotebookJob, NotebookResult, Project, plan
from mlstack.engine.publish import publish_result, sync_kept_outputs
from mlstack.engine.report_index import write_index
from mlstack.engine.workers import run_in_workers
from mlstack.utils import paths

__all__ = ["NotebookResult", "ReproduceSummary", "as_dict", "reproduce", "summary_text"]


@dataclass
class ReproduceSummary:
    """Outcome of a whole reproduce run.

    Attributes
    ----------
    results : list of NotebookResult
        One per notebook considered, sorted by name.
    signum : int or None
        The signal (SIGINT, SIGTERM) that stopped the run, if one did.
    """

    results: list[NotebookResult] = field(default_factory=list)
    signum: int | None = None

    @property
    def failed(self) -> list[NotebookResult]:
        """The notebooks that failed."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def unfinished(self) -> list[NotebookResult]:
        """The notebooks an interruption stopped or kept from starting."""
        return [r for r in self.results if r.status == "interrupted"]

    @property
    def ok(self) -> bool:
        """True when no notebook failed and the run was not interrupted."""
        return not self.failed and self.signum is None

    @property
    def exit_status(self) -> int:
        """0 on success, 1 when a notebook failed, 128 + the signal number when stopped."""
        if self.signum is not None:
            return 128 + self.signum
        return 0 if self.ok else 1


def _log_result(log: Callable[[str], None], width: int) -> Callable[[NotebookResult], None]:
    def write(result: NotebookResult) -> None:
        status = {"ok": "ok", "failed": "FAILED"}[result.status]
        log(f"{status:<7} {result.stem:<{width}} {result.seconds:7.1f}s")

    return write


def _execute_all(
    project: Project, jobs: list[NotebookJob], n_jobs: int, params: str, log: Callable
) -> tuple[list[NotebookResult], int | None]:
    """Run ``jobs``, publishing each success as it comes; return results and any signal."""
    results: list[NotebookResult] = []
    write = _log_result(log, max(len(job.stem) for job in jobs))
    sync_kept = project.is_main_reports and params == "default"

    def on_result(job: NotebookJob, result: NotebookResult) -> None:
        if result.status == "ok":
            result = publish_result(result, project.reports_dir, params)
        if result.status == "ok" and sync_kept:
            sync_kept_outputs(Path(job.path), job.executed_path)
        write(result)
        results.append(result)

    def on_death(job: NotebookJob, exitcode: int | None) -> NotebookResult:
        return NotebookResult(
            job.stem, "failed", error=f"worker process died (exit status {exitcode})"
        )

    # Notebooks that measure the machine (speed-ups, bandwidth) run alone, after the rest.
    batches = [
        ([job for job in jobs if not job.exclusive], n_jobs),
        ([job for job in jobs if job.exclusive], 1),
    ]
    for index, (batch, workers) in enumerate(batches):
        if not batch:
            continue
        outcome = run_in_workers(batch, workers, execute, on_result, on_death)
        if outcome.signum is not None:
            later = [job for rest, _ in batches[index + 1 :] for job in rest]
            stopped = [*outcome.unfinished, *later]
            stems = ", ".join(job.stem for job in stopped)
            log(
                f"interrupted by {signal.Signals(outcome.signum).name}: {stems} did not "
                "finish (their previous reports are left as they were)"
            )
            results += [
                NotebookResult(job.stem, "interrupted", reasons=job.reasons) for job in stopped
            ]
            return results, outcome.signum
    return results, None


def reproduce(
    names: Sequence[str] = (),
    *,
    params: str = "default",
    force: bool = False,
    n_jobs: int = 1,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    root: Path | None = None,
    package: str = "mlstack",
    dry_run: bool = False,
    log: Callable[[str], None] = print,
) -> ReproduceSummary:
    """Execute the notebooks whose inputs changed and publish their reports.

    Parameters
    ----------
    names : sequence of str, default=()
        Notebooks to consider, by stem (``01_vectorization``) or number
        (``01``); all numbered notebooks when empty.
    params : str, default="default"
        Name of the parameter set in ``notebooks/params/``.
    force : bool, default=False
        Re-run even the notebooks whose reports are up to date.
    n_jobs : int, default=1
        Notebooks to execute at once, each in its own process and kernel.
    reports_dir : pathlib.Path, optional
        Where reports go; ``reports/`` by default. Trial runs use a scratch
        directory (``--out build/try``).
    build_dir : pathlib.Path, optional
        Where executed notebooks, logs and staging areas go; ``build/`` by default.
    notebooks_dir : pathlib.Path, optional
        Where the numbered notebooks and ``params/`` are; ``notebooks/`` by default.
    root : pathlib.Path, optional
        The repository whose ``lib/`` and ``uv.lock`` the notebooks depend on;
        this one by default.
    package : str, default="mlstack"
        The package under ``lib/`` whose modules the notebooks import.
    dry_run : bool, default=False
        Only say which notebooks would run and which of their inputs changed
        (``cells``, ``params``, ``data``, ``engine``, ``lib: <module>``,
        ``lock: <package> <old> -> <new>``).
    log : callable, default=print
        Receives one line per notebook.

    Returns
    -------
    ReproduceSummary
        One result per notebook considered; ``summary.exit_status`` is 1 when
        a notebook failed and 128 + the signal number when SIGINT or SIGTERM
        stopped the run. Reports of failed and unfinished notebooks are left
        as they were.
    """
    project = Project(
        root=Path(root or paths.repo_root()),
        notebooks_dir=Path(notebooks_dir or paths.notebooks_dir()),
        reports_dir=Path(reports_dir or paths.reports_dir()),
        build_dir=Path(build_dir or paths.build_dir()),
        package=package,
    )
    jobs, skipped = plan(project, names, params=params, force=force)
    width = max((len(r.stem) for r in skipped), default=0)
    for result in skipped:
        log(f"{'skip':<7} {result.stem:<{width}}   (up to date)")
    if dry_run:
        for job in jobs:
            log(f"{'stale':<7} {job.stem}   (changed: {', '.join(job.reasons)})")
        stale = [NotebookResult(job.stem, "stale", reasons=job.reasons) for job in jobs]
        return ReproduceSummary(sorted(skipped + stale, key=lambda r: r.stem))
    results, signum = _execute_all(project, jobs, n_jobs, params, log) if jobs else ([], None)
    ran = {r.stem: r.seconds for r in results if r.status == "ok"}
    record_run_times(project.reports_dir, params, ran)
    write_index(project.reports_dir, read_manifest(project.reports_dir), project.notebooks_dir)
    return ReproduceSummary(sorted(skipped + results, key=lambda r: r.stem), signum)


def summary_text(summary: ReproduceSummary) -> str:
    """Return the closing lines of a run: counts, then one line per failure."""
    counts = {
        status: sum(r.status == status for r in summary.results)
        for status in ("ok", "skipped", "failed", "stale", "interrupted")
    }
    if counts["stale"]:
        return f"{counts['stale']} would run, {counts['skipped']} up to date"
    line = f"{counts['ok']} ran, {counts['skipped']} up to date, {counts['failed']} failed"
    if summary.signum is not None:
        line += f", {counts['interrupted']} did not finish (interrupted)"
    lines = [line]
    for result in summary.failed:
        lines.append(f"  {result.stem}: {result.error}")
    return "\n".join(lines)


def as_dict(summary: ReproduceSummary) -> dict[str, Any]:
    """Return the summary as plain data (for ``--json`` and tests)."""
    return {"results": [asdict(r) for r in summary.results], "ok": summary.ok}
