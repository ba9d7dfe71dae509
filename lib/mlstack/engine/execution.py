"""Execute one notebook into its staging area (in a worker process).

The notebook runs with papermill on the engine's kernel
(:func:`~mlstack.engine.kernel.ensure_kernel`), with ``MLSTACK_REPORTS_DIR``
pointed at a fresh staging directory under ``build/staging/``: whatever the
notebook writes "to the reports" (timings, reflections, a model card, a saved
model) lands there, next to the markdown report and figures exported from the
executed copy. Nothing under ``reports/`` is touched here; the parent process
publishes the staging area once the notebook succeeded
(:mod:`mlstack.engine.publish`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from mlstack.engine.export import (
    ANSI,
    export_markdown,
    headline,
    reproducibility_problems,
    write_report,
)
from mlstack.engine.kernel import KERNEL_ENV, KERNEL_NAME, ensure_kernel
from mlstack.engine.params import filter_declared
from mlstack.engine.planning import NotebookJob, NotebookResult

__all__ = ["execute", "failed_cell_number"]


def failed_cell_number(executed: dict[str, Any], source: dict[str, Any]) -> int | None:
    """Return the 1-based position, in the source notebook, of the cell that raised.

    papermill inserts its own cells (the injected parameters, an error banner)
    into the executed copy, so the failing cell is found by its error output
    and mapped back to the source by cell id.

    Examples
    --------
    >>> error = {"output_type": "error"}
    >>> executed = {"cells": [{"id": "inj"}, {"id": "a"}, {"id": "b", "outputs": [error]}]}
    >>> failed_cell_number(executed, {"cells": [{"id": "a"}, {"id": "b"}]})
    2
    """
    failing = next(
        (
            cell
            for cell in executed["cells"]
            if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
        ),
        None,
    )
    if failing is None:
        return None
    for index, cell in enumerate(source["cells"]):
        if cell.get("id") == failing.get("id"):
            return index + 1
    return None


def _prepare_process(job: NotebookJob) -> None:
    """Send this worker's stderr (inherited by the kernel) to the log; set the kernel's env."""
    job.log_path.parent.mkdir(parents=True, exist_ok=True)
    with job.log_path.open("wb") as log_file:
        os.dup2(log_file.fileno(), 2)
    jupyter_dir = ensure_kernel(Path(job.build_dir))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(jupyter_dir), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    )
    os.environ["MLSTACK_REPORTS_DIR"] = str(job.staging_dir)
    os.environ["MLSTACK_PARAMS"] = job.param_set_name
    os.environ.update(KERNEL_ENV)


def _run_papermill(job: NotebookJob) -> str:
    """Execute the notebook; return ``""`` or a one-line description of the failure."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = Path(job.path)
    try:
        param_set = {"all": job.params_all, job.stem: job.params_own}
        papermill.execute_notebook(
            str(path),
            str(job.executed_path),
            parameters=filter_declared(path, job.stem, param_set),
            kernel_name=KERNEL_NAME,
            language="python",
            cwd=str(path.parent),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        executed = json.loads(job.executed_path.read_text(encoding="utf-8"))
        source = json.loads(path.read_text(encoding="utf-8"))
        number = failed_cell_number(executed, source)
        where = f"cell {number}" if number else f"cell [{exc.exec_count}]"
        evalue = ANSI.sub("", str(exc.evalue)).strip().splitlines()
        return f"{where}: {exc.ename}: {evalue[0] if evalue else ''}".rstrip(": ")
    except Exception as exc:  # a kernel that died, a bad parameter: still one line
        message = ANSI.sub("", str(exc)).strip().splitlines()
        return f"{type(exc).__name__}: {message[0] if message else ''}"
    return ""


def _staged_files(staging: Path) -> list[str]:
    return sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())


def execute(job: NotebookJob) -> NotebookResult:
    """Run one notebook and stage its report and files; never raises.

    Returns
    -------
    NotebookResult
        ``ok`` with the staged files in ``outputs``, or ``failed`` with a
        one-line ``error`` naming the cell.
    """
    start = time.perf_counter()
    staging = job.staging_dir
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    job.executed_path.parent.mkdir(parents=True, exist_ok=True)
    _prepare_process(job)

    def result(status: str, error: str = "", **extra: Any) -> NotebookResult:
        return NotebookResult(
            job.stem,
            status,
            time.perf_counter() - start,
            error,
            input_hash=job.inputs.digest,
            inputs=job.inputs,
            reasons=job.reasons,
            timings=job.timings,
            staging_dir=str(staging),
            **extra,
        )

    error = _run_papermill(job)
    if error:
        return result("failed", error)
    markdown, figures = export_markdown(job.executed_path, job.stem)
    problems = [] if job.timings else reproducibility_problems(markdown, job.repo_root)
    if problems:
        return result("failed", f"report is not reproducible: {problems[0]}")
    write_report(staging, job.stem, markdown, figures)
    executed = json.loads(job.executed_path.read_text(encoding="utf-8"))
    return result("ok", headline=headline(executed), outputs=_staged_files(staging))
