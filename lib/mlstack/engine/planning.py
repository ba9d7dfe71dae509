"""Decide which notebooks must run: compare each notebook's inputs with its manifest entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlstack.engine.inputs import InputReader, NotebookInputs, stale_reasons
from mlstack.engine.manifest import read_manifest
from mlstack.engine.notebooks import discover_notebooks, notebook_info
from mlstack.engine.params import load_param_set, params_for
from mlstack.errors import ReproduceError

__all__ = ["NotebookJob", "NotebookResult", "Project", "plan", "select_notebooks"]


@dataclass
class NotebookResult:
    """Outcome of one notebook in a reproduce run.

    ``status`` is ``"ok"``, ``"failed"``, ``"skipped"`` (up to date),
    ``"stale"`` (a dry run) or ``"interrupted"`` (the run was stopped before
    the notebook finished). ``outputs`` lists the files it wrote, relative to
    the reports directory.
    """

    stem: str
    status: str
    seconds: float = 0.0
    error: str = ""
    headline: str = ""
    input_hash: str = ""
    inputs: NotebookInputs | None = None
    reasons: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    timings: bool = False
    staging_dir: str = ""


@dataclass(frozen=True)
class Project:
    """Where one reproduce run reads and writes.

    Parameters
    ----------
    root : pathlib.Path
        The repository root: the package's sources are read from ``lib/``,
        the locked versions from ``uv.lock``.
    notebooks_dir : pathlib.Path
        The numbered notebooks and ``params/``.
    reports_dir : pathlib.Path
        Where reports are published.
    build_dir : pathlib.Path
        Executed notebooks, logs, kernelspec and the per-notebook staging areas.
    package : str, default="mlstack"
        The package whose modules notebooks import.
    """

    root: Path
    notebooks_dir: Path
    reports_dir: Path
    build_dir: Path
    package: str = "mlstack"

    def input_reader(self) -> InputReader:
        """Return the reader of this project's notebooks' inputs."""
        return InputReader(self.root / "lib", self.root / "uv.lock", package=self.package)

    @property
    def is_main_reports(self) -> bool:
        """Whether reports go to the repository's own ``reports/``."""
        return self.reports_dir.resolve() == (self.root / "reports").resolve()


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute, with everything a worker process needs."""

    path: str
    stem: str
    param_set_name: str
    params_all: dict[str, Any]
    params_own: dict[str, Any]
    inputs: NotebookInputs
    reasons: list[str]
    build_dir: str
    timings: bool
    exclusive: bool
    repo_root: str

    @property
    def staging_dir(self) -> Path:
        """The notebook's own reports directory while it runs (under ``build/``)."""
        return Path(self.build_dir) / "staging" / self.param_set_name / self.stem

    @property
    def executed_path(self) -> Path:
        """Where the executed copy of the notebook is written."""
        return Path(self.build_dir) / "executed" / self.param_set_name / Path(self.path).name

    @property
    def log_path(self) -> Path:
        """Where the kernel's standard error goes."""
        return Path(self.build_dir) / "logs" / self.param_set_name / f"{self.stem}.log"


def select_notebooks(notebooks: list[Path], names: Sequence[str]) -> list[Path]:
    """Return the notebooks named by stem (``01_vectorization``) or number (``01``).

    Raises
    ------
    ReproduceError
        For a name that matches no notebook.
    """
    if not names:
        return notebooks
    chosen: list[Path] = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        matches = [nb for nb in notebooks if nb.stem == stem or nb.stem.split("_", 1)[0] == stem]
        if not matches:
            known = ", ".join(nb.stem for nb in notebooks)
            raise ReproduceError(f"no notebook named {name!r} (known: {known})", notebook=name)
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def plan(
    project: Project,
    names: Sequence[str] = (),
    *,
    params: str = "default",
    force: bool = False,
    reader: InputReader | None = None,
) -> tuple[list[NotebookJob], list[NotebookResult]]:
    """Decide which notebooks must run.

    Parameters
    ----------
    project : Project
        Where to read notebooks and the manifest.
    names : sequence of str, default=()
        Notebooks to consider (all when empty).
    params : str, default="default"
        The parameter set.
    force : bool, default=False
        Run even the notebooks whose reports are up to date.
    reader : InputReader, optional
        Computes inputs; by default ``project.input_reader()``.

    Returns
    -------
    jobs : list of NotebookJob
        The notebooks to execute, with the inputs that changed.
    skipped : list of NotebookResult
        The notebooks whose report is up to date.
    """
    notebooks = discover_notebooks(project.notebooks_dir)
    if not notebooks:
        raise ReproduceError(
            f"no numbered notebooks (NN_name.ipynb) in {project.notebooks_dir}",
            path=project.notebooks_dir,
        )
    selected = select_notebooks(notebooks, names)
    param_set = load_param_set(project.notebooks_dir / "params", params)
    reader = reader or project.input_reader()
    manifest = read_manifest(project.reports_dir).get("notebooks", {})
    jobs, skipped = [], []
    for path in selected:
        inputs = reader(path, params, params_for(param_set, path.stem))
        entry = manifest.get(path.stem, {})
        report = project.reports_dir / f"{path.stem}.md"
        if not force and entry.get("input_hash") == inputs.digest and report.exists():
            skipped.append(
                NotebookResult(
                    path.stem,
                    "skipped",
                    headline=entry.get("headline", ""),
                    input_hash=inputs.digest,
                    outputs=list(entry.get("outputs", [])),
                    timings=bool(entry.get("timings", False)),
                )
            )
            continue
        info = notebook_info(path)
        jobs.append(
            NotebookJob(
                path=str(path),
                stem=path.stem,
                param_set_name=params,
                params_all=dict(param_set.get("all", {})),
                params_own=dict(param_set.get(path.stem, {})),
                inputs=inputs,
                reasons=["forced"] if force else stale_reasons(entry, inputs),
                build_dir=str(project.build_dir),
                timings=info.timings,
                exclusive=info.exclusive,
                repo_root=str(project.root),
            )
        )
    return jobs, skipped
