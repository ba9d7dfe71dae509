"""The reproduce engine: execute notebooks headless and export markdown reports.

``mlstack reproduce`` (and ``make reproduce``) runs the numbered notebooks with
papermill, on a kernel that always is this project's own interpreter, with a
named parameter set; exports each executed notebook with nbconvert to
``reports/NN_name.md`` plus its figures; and writes the index
``reports/README.md``.

It is incremental by content. A notebook's *input hash* covers its cells, the
``lib/`` sources, the data fingerprint, its parameters, ``uv.lock`` and this
engine's version; ``reports/manifest.json`` records the hash each report was
made from, so the decision survives a fresh clone (timestamps would not).

Executed notebooks go to ``build/executed/<param set>/``, never over the
sources. A report is replaced only after its notebook succeeded and passed the
reproducibility checks, and is moved into place atomically, so a failing
notebook leaves its previous report intact.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlstack.engine.hygiene import normalize
from mlstack.engine.notebooks import (
    cell_text_output,
    discover_notebooks,
    notebook_info,
    source_hash,
)
from mlstack.engine.params import filter_declared, load_param_set, params_for
from mlstack.errors import ReproduceError
from mlstack.utils import paths
from mlstack.utils.atomic import atomic_directory, write_json, write_text

__all__ = ["NotebookResult", "ReproduceSummary", "plan", "reproduce"]

ENGINE_VERSION = "1"
KERNEL_NAME = "mlstack-reproduce"
MANIFEST = "manifest.json"
INDEX = "README.md"

# Environment every notebook kernel gets: one thread per BLAS/OpenMP pool, so
# results do not depend on how many notebooks run side by side, and a fixed
# hash seed. A notebook that studies threading sets its own limits explicitly.
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "TQDM_DISABLE": "1",
}

_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}\b|\bobject at 0x[0-9a-fA-F]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class NotebookResult:
    """Outcome of one notebook in a reproduce run."""

    stem: str
    status: str  # "ok", "failed", "skipped", or "stale" (dry run)
    seconds: float = 0.0
    error: str = ""
    headline: str = ""
    input_hash: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass
class ReproduceSummary:
    """Outcome of a whole reproduce run."""

    results: list[NotebookResult] = field(default_factory=list)

    @property
    def failed(self) -> list[NotebookResult]:
        """The notebooks that failed."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no notebook failed."""
        return not self.failed


@dataclass(frozen=True)
class _Job:
    path: str
    stem: str
    param_set_name: str
    params_all: dict[str, Any]
    params_own: dict[str, Any]
    input_hash: str
    inputs: dict[str, str]
    reasons: list[str]
    reports_dir: str
    build_dir: str
    timings: bool
    exclusive: bool
    repo_root: str
    sync_kept_outputs: bool


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _lib_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "lib").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _shared_inputs(root: Path) -> dict[str, str]:
    """Hashes of the inputs every notebook shares."""
    from mlstack.flights.data import data_fingerprint

    return {
        "engine": _short(ENGINE_VERSION + json.dumps(KERNEL_ENV, sort_keys=True)),
        "lib": _lib_hash(root)[:12],
        "lock": _sha256_file(root / "uv.lock")[:12],
        "data": data_fingerprint()[:12],
    }


def _inputs(
    notebook: Path, param_set: str, params: dict[str, Any], shared: dict[str, str]
) -> dict[str, str]:
    """Hashes of everything a notebook's report depends on, by name."""
    return {
        **shared,
        "cells": source_hash(notebook)[:12],
        "params": _short(json.dumps({"set": param_set, **params}, sort_keys=True, default=str)),
    }


def _input_hash(inputs: dict[str, str]) -> str:
    return _short(json.dumps(inputs, sort_keys=True))


def stale_reasons(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Name the inputs that differ from the ones a report was made from."""
    if not recorded:
        return ["no report yet"]
    return sorted(name for name in current if recorded.get(name) != current[name])


def _read_manifest(reports_dir: Path) -> dict[str, Any]:
    path = reports_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _select(notebooks: list[Path], names: Sequence[str]) -> list[Path]:
    if not names:
        return notebooks
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        matches = [nb for nb in notebooks if nb.stem == stem or nb.stem.split("_", 1)[0] == stem]
        if not matches:
            known = ", ".join(nb.stem for nb in notebooks)
            raise ReproduceError(f"no notebook named {name!r} (known: {known})")
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def plan(
    names: Sequence[str] = (),
    *,
    params: str = "default",
    force: bool = False,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    notebooks_dir: Path | None = None,
) -> tuple[list[_Job], list[NotebookResult]]:
    """Decide which notebooks must run.

    Returns
    -------
    jobs : list
        The notebooks to execute.
    skipped : list of NotebookResult
        The notebooks whose report is up to date.
    """
    root = paths.repo_root()
    notebooks_dir = notebooks_dir or paths.notebooks_dir()
    reports_dir = Path(reports_dir or paths.reports_dir())
    build_dir = Path(build_dir or paths.build_dir())
    notebooks = discover_notebooks(notebooks_dir)
    if not notebooks:
        raise ReproduceError(f"no numbered notebooks (NN_name.ipynb) in {notebooks_dir}")
    selected = _select(notebooks, names)
    param_set = load_param_set(notebooks_dir / "params", params)
    shared = _shared_inputs(root)
    manifest = _read_manifest(reports_dir).get("notebooks", {})
    is_main_reports = reports_dir.resolve() == (root / "reports").resolve()
    jobs, skipped = [], []
    for path in selected:
        nb_params = params_for(param_set, path.stem)
        inputs = _inputs(path, params, nb_params, shared)
        digest = _input_hash(inputs)
        entry = manifest.get(path.stem, {})
        report = reports_dir / f"{path.stem}.md"
        if not force and entry.get("input_hash") == digest and report.exists():
            skipped.append(
                NotebookResult(
                    path.stem, "skipped", headline=entry.get("headline", ""), input_hash=digest
                )
            )
            continue
        info = notebook_info(path)
        jobs.append(
            _Job(
                path=str(path),
                stem=path.stem,
                param_set_name=params,
                params_all=dict(param_set.get("all", {})),
                params_own=dict(param_set.get(path.stem, {})),
                input_hash=digest,
                inputs=inputs,
                reasons=["forced"] if force else stale_reasons(entry.get("inputs", {}), inputs),
                reports_dir=str(reports_dir),
                build_dir=str(build_dir),
                timings=info.timings,
                exclusive=info.exclusive,
                repo_root=str(root),
                sync_kept_outputs=is_main_reports and params == "default",
            )
        )
    return jobs, skipped


def ensure_kernel(build_dir: Path) -> Path:
    """Write a kernelspec for this interpreter and return the ``JUPYTER_PATH`` entry.

    The spec has a name of its own and is found through ``JUPYTER_PATH``, which
    jupyter searches before the user's and the system's kernels, so a stray
    ``python3`` kernel elsewhere on the machine cannot take over the run.
    """
    jupyter_dir = build_dir / "jupyter"
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=ERROR",
            "--ext=mlstack.engine.ipython_ext",
        ],
        "display_name": "mlstack (reproduce)",
        "language": "python",
        "env": KERNEL_ENV,
        "metadata": {"debugger": False},
    }
    kernel_file = jupyter_dir / "kernels" / KERNEL_NAME / "kernel.json"
    text = json.dumps(spec, indent=1, sort_keys=True) + "\n"
    if not kernel_file.exists() or kernel_file.read_text() != text:
        kernel_file.parent.mkdir(parents=True, exist_ok=True)
        write_text(kernel_file, text)
    return jupyter_dir


def _failed_cell_number(executed: dict[str, Any], source: dict[str, Any]) -> int | None:
    """Return the 1-based position, in the source notebook, of the cell that raised.

    papermill inserts its own cells (the injected parameters, an error banner)
    into the executed copy, so the failing cell is found by its error output
    and mapped back to the source by cell id.
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


def _reproducibility_problems(markdown: str, root: str) -> list[str]:
    problems = []
    for lineno, line in enumerate(markdown.splitlines(), start=1):
        if _ADDRESS.search(line):
            problems.append(f"line {lineno} shows a memory address: {line.strip()[:80]}")
        elif root in line or tempfile.gettempdir() + os.sep in line:
            problems.append(f"line {lineno} shows a local path: {line.strip()[:80]}")
    return problems


def _export_markdown(executed_path: Path, stem: str) -> tuple[str, dict[str, bytes]]:
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
    # Prefer markdown and images; raw HTML (with inline styles) only as a last resort.
    config.NbConvertBase.display_data_priority = [
        "text/markdown",
        "image/png",
        "image/svg+xml",
        "text/latex",
        "text/plain",
        "text/html",
    ]
    exporter = MarkdownExporter(config=config)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    nb = nbformat.read(executed_path, as_version=4)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": f"{stem}_files", "unique_key": stem}
    )
    body = _ANSI.sub("", body).rstrip() + "\n"
    return body, dict(resources.get("outputs", {}))


def _headline(executed: dict[str, Any]) -> str:
    for cell in executed["cells"]:
        if "headline" in cell.get("metadata", {}).get("tags", []):
            return " ".join(cell_text_output(cell).split())
    return ""


def _sync_kept_outputs(source_path: Path, executed: dict[str, Any]) -> None:
    """Copy the outputs of ``keep_output`` cells into the committed source notebook."""
    import nbformat

    source = nbformat.read(source_path, as_version=4)
    by_id = {cell.get("id"): cell for cell in executed["cells"]}
    changed = False
    for cell in source.cells:
        if cell.cell_type != "code" or "keep_output" not in cell.metadata.get("tags", []):
            continue
        done = by_id.get(cell.get("id"))
        if done is None:
            continue
        outputs = nbformat.from_dict(done.get("outputs", []))
        if outputs != cell.outputs:
            cell.outputs = outputs
            changed = True
    if changed:
        write_text(source_path, nbformat.writes(source) + "\n")
        normalize(source_path)  # kept cells get the execution count nbval needs


def _execute(job: _Job) -> NotebookResult:
    """Run one notebook and export its report (in a worker process)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    path = Path(job.path)
    build_dir = Path(job.build_dir)
    reports_dir = Path(job.reports_dir)
    executed_path = build_dir / "executed" / job.param_set_name / path.name
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    log_path = build_dir / "logs" / job.param_set_name / f"{job.stem}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:  # the kernel inherits this process's stderr
        os.dup2(log_file.fileno(), 2)
    jupyter_dir = ensure_kernel(build_dir)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(jupyter_dir), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    )
    os.environ["MLSTACK_REPORTS_DIR"] = str(reports_dir)
    os.environ["MLSTACK_PARAMS"] = job.param_set_name
    os.environ.update(KERNEL_ENV)

    def failed(message: str) -> NotebookResult:
        return NotebookResult(
            job.stem,
            "failed",
            time.perf_counter() - start,
            message,
            input_hash=job.input_hash,
            reasons=job.reasons,
        )

    try:
        param_set = {"all": job.params_all, job.stem: job.params_own}
        parameters = filter_declared(path, job.stem, param_set)
        papermill.execute_notebook(
            str(path),
            str(executed_path),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            language="python",
            cwd=str(path.parent),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        executed = json.loads(executed_path.read_text(encoding="utf-8"))
        source = json.loads(path.read_text(encoding="utf-8"))
        number = _failed_cell_number(executed, source)
        where = f"cell {number}" if number else f"cell [{exc.exec_count}]"
        evalue = _ANSI.sub("", str(exc.evalue)).strip().splitlines()
        return failed(f"{where}: {exc.ename}: {evalue[0] if evalue else ''}".rstrip(": "))
    except Exception as exc:  # a kernel that died, a bad parameter: still one line
        message = _ANSI.sub("", str(exc)).strip().splitlines()
        return failed(f"{type(exc).__name__}: {message[0] if message else ''}")

    executed = json.loads(executed_path.read_text(encoding="utf-8"))
    markdown, figures = _export_markdown(executed_path, job.stem)
    problems = [] if job.timings else _reproducibility_problems(markdown, job.repo_root)
    if problems:
        return failed(f"report is not reproducible: {problems[0]}")
    with atomic_directory(reports_dir / f"{job.stem}_files") as staging:
        for name, data in sorted(figures.items()):
            (staging / Path(name).name).write_bytes(data)
    if not figures:
        # no figures: do not leave an empty directory behind
        (reports_dir / f"{job.stem}_files").rmdir()
    write_text(reports_dir / f"{job.stem}.md", markdown)
    if job.sync_kept_outputs:
        _sync_kept_outputs(path, nbformat.from_dict(executed))
    return NotebookResult(
        job.stem,
        "ok",
        time.perf_counter() - start,
        headline=_headline(executed),
        input_hash=job.input_hash,
        inputs=job.inputs,
        reasons=job.reasons,
    )


def _run_jobs(jobs: list[_Job], n_jobs: int, log: Callable[[str], None]) -> list[NotebookResult]:
    results = []
    width = max((len(job.stem) for job in jobs), default=0)

    def report(result: NotebookResult) -> None:
        status = {"ok": "ok", "failed": "FAILED"}[result.status]
        log(f"{status:<7} {result.stem:<{width}} {result.seconds:7.1f}s")
        results.append(result)

    # Notebooks that measure the machine (speed-ups, bandwidth) run alone, after the rest.
    shared = [job for job in jobs if not job.exclusive]
    alone = [job for job in jobs if job.exclusive]
    for batch, workers in ((shared, n_jobs), (alone, 1)):
        if batch:
            _run_batch(batch, workers, report)
    return results


def _run_batch(jobs: list[_Job], n_jobs: int, report: Callable[[NotebookResult], None]) -> None:
    """Execute ``jobs`` in worker processes, ``n_jobs`` at a time, reporting each result.

    Always in worker processes, even one at a time: each worker gets its own
    environment, and its stderr (so the kernel's log) goes to a log file.
    """
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(n_jobs, len(jobs)))
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_execute, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            try:
                report(future.result())
            except Exception as exc:  # the worker process itself died
                report(
                    NotebookResult(
                        job.stem, "failed", 0.0, f"worker died: {exc}", input_hash=job.input_hash
                    )
                )


def _update_manifest(
    reports_dir: Path, params: str, results: list[NotebookResult]
) -> dict[str, Any]:
    manifest = _read_manifest(reports_dir)
    entries = manifest.setdefault("notebooks", {})
    for result in results:
        if result.status == "ok":
            entries[result.stem] = {
                "input_hash": result.input_hash,
                "inputs": result.inputs,
                "params": params,
                "headline": result.headline,
            }
    manifest["notebooks"] = dict(sorted(entries.items()))
    write_json(reports_dir / MANIFEST, manifest)
    return manifest


def _record_run_times(reports_dir: Path, params: str, results: list[NotebookResult]) -> None:
    ran = [r for r in results if r.status == "ok"]
    if not ran:
        return
    path = reports_dir / "timings" / f"reproduce-{params}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    for result in ran:
        record[result.stem] = {"seconds": round(result.seconds, 2)}
    write_json(path, dict(sorted(record.items())))


def reproduce(
    names: Sequence[str] = (),
    *,
    params: str = "default",
    force: bool = False,
    n_jobs: int = 1,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
) -> ReproduceSummary:
    """Execute the notebooks whose inputs changed and export their reports.

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
        Where reports go; ``reports/`` by default. Smoke runs use a scratch
        directory.
    build_dir : pathlib.Path, optional
        Where executed notebooks go; ``build/`` by default.
    notebooks_dir : pathlib.Path, optional
        Where the numbered notebooks and ``params/`` are; ``notebooks/`` by default.
    dry_run : bool, default=False
        Only say which notebooks would run and which of their inputs changed
        (``cells``, ``lib``, ``data``, ``params``, ``lock``, ``engine``).
    log : callable, default=print
        Receives one line per notebook.

    Returns
    -------
    ReproduceSummary
        One result per notebook considered; ``summary.ok`` is false when any
        notebook failed. Reports of failed notebooks are left as they were.
    """
    from mlstack.engine.report_index import write_index

    reports_dir = Path(reports_dir or paths.reports_dir())
    build_dir = Path(build_dir or paths.build_dir())
    notebooks_dir = Path(notebooks_dir or paths.notebooks_dir())
    jobs, skipped = plan(
        names,
        params=params,
        force=force,
        reports_dir=reports_dir,
        build_dir=build_dir,
        notebooks_dir=notebooks_dir,
    )
    width = max((len(r.stem) for r in skipped), default=0)
    for result in skipped:
        log(f"{'skip':<7} {result.stem:<{width}}   (up to date)")
    if dry_run:
        for job in jobs:
            log(f"{'stale':<7} {job.stem}   (changed: {', '.join(job.reasons)})")
        stale = [NotebookResult(job.stem, "stale", reasons=job.reasons) for job in jobs]
        return ReproduceSummary(sorted(skipped + stale, key=lambda r: r.stem))
    results = _run_jobs(jobs, n_jobs, log) if jobs else []
    manifest = _read_manifest(reports_dir)
    if jobs:
        manifest = _update_manifest(reports_dir, params, results)
    _record_run_times(reports_dir, params, results)
    write_index(reports_dir, manifest, notebooks_dir)
    return ReproduceSummary(sorted(skipped + results, key=lambda r: r.stem))


def summary_text(summary: ReproduceSummary) -> str:
    """Return the closing lines of a run: counts, then one line per failure."""
    counts = {
        status: sum(r.status == status for r in summary.results)
        for status in ("ok", "skipped", "failed", "stale")
    }
    if counts["stale"]:
        return f"{counts['stale']} would run, {counts['skipped']} up to date"
    lines = [f"{counts['ok']} ran, {counts['skipped']} up to date, {counts['failed']} failed"]
    for result in summary.failed:
        lines.append(f"  {result.stem}: {result.error}")
    return "\n".join(lines)


def as_dict(summary: ReproduceSummary) -> dict[str, Any]:
    """Return the summary as plain data (for ``--json`` and tests)."""
    return {"results": [asdict(r) for r in summary.results], "ok": summary.ok}
