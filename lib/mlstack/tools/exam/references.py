"""The two models a learner's Part 1 predictions are compared with, cached in the workspace.

- The reference solution: :func:`mlstack.tools.exit_test.exit_test` on the same
  training rows and test rows, within ``budget_s`` seconds (120 when grading).
- skrub's default :func:`skrub.tabular_pipeline`, fitted on the training rows.

Each is computed once and kept under ``.grading/`` in the workspace, with a key
(seed, budget, exam files); grading again reads the predictions back instead of
paying for the fits again. The test labels are never written there: the cache
holds predictions, and exit-test's own report of its single test evaluation.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.tools.exam.derive import Part1
from mlstack.tools.exam.rules import ID_COLUMN
from mlstack.tools.exam.scoring import fit_skrub_default, model_predictions
from mlstack.tools.exam.workspace import FORMAT, ExamState
from mlstack.utils.atomic import write_json, write_text

__all__ = ["CACHE", "reference_predictions", "skrub_predictions"]

#: The cache directory inside the workspace.
CACHE = ".grading"


def _key(state: ExamState, **extra: Any) -> dict[str, Any]:
    return {"format": FORMAT, "seed": state.seed, **extra}


def _cached(folder: Path, key: dict[str, Any], part1: Part1) -> np.ndarray | None:
    """The cached predictions, if their key matches and they cover every test row."""
    try:
        if json.loads((folder / "key.json").read_text(encoding="utf-8")) != key:
            return None
        frame = pd.read_csv(folder / "predictions.csv")
    except (OSError, ValueError):
        return None
    if frame[ID_COLUMN].tolist() != part1.test[ID_COLUMN].tolist():
        return None
    values = frame["prediction"]
    return values.astype(str).to_numpy() if part1.table.task == "multiclass" else values.to_numpy()


def _store(folder: Path, key: dict[str, Any], part1: Part1, prediction: np.ndarray) -> None:
    frame = pd.DataFrame({ID_COLUMN: part1.test[ID_COLUMN], "prediction": prediction})
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    write_text(folder / "predictions.csv", buffer.getvalue())
    write_json(folder / "key.json", key)


def _features(part1: Part1) -> pd.DataFrame:
    return part1.test.drop(columns=[ID_COLUMN])


def reference_predictions(
    state: ExamState, *, budget_s: float = 120.0, max_candidates: int = 81
) -> tuple[np.ndarray, dict[str, Any], bool]:
    """The reference solution's predictions of every Part 1 test row (cached).

    Runs ``exit_test(train, target, test=..., budget_s=budget_s, seed=exam seed)``
    on the exam's training rows and its test rows with their labels, writing its
    report, model card and model to ``.grading/reference-<budget>s/exit-test/``.

    Parameters
    ----------
    state : ExamState
    budget_s : float, default=120
        exit-test's time budget (``mlstack exit-test --budget-s``).
    max_candidates : int, default=81
        exit-test's cap on the candidates of its search (a small value makes tests quick).

    Returns
    -------
    prediction : numpy.ndarray
    metrics : dict
        exit-test's ``metrics.json`` (its model, cross-validated score, dropped columns).
    cached : bool
        Whether the predictions came from the cache.
    """
    from mlstack.tools.exit_test import exit_test

    part1 = state.exam.part1
    table = part1.table
    folder = state.directory / CACHE / f"reference-{budget_s:g}s"
    key = _key(state, budget_s=budget_s, max_candidates=max_candidates)
    cached = _cached(folder, key, part1)
    if cached is not None and (folder / "metrics.json").is_file():
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        return cached, metrics, True
    test = _features(part1).assign(**{table.target: part1.answers.to_numpy()})
    result = exit_test(
        part1.train,
        table.target,
        test=test[list(part1.train.columns)],
        task=table.task,
        out=folder / "exit-test",
        budget_s=budget_s,
        seed=state.seed,
        max_candidates=max_candidates,
        quiet=True,
    )
    prediction = model_predictions(result.model, _features(part1), table.task, table.positive)
    metrics = json.loads(json.dumps(result.metrics, default=str))
    write_json(folder / "metrics.json", metrics)
    _store(folder, key, part1, prediction)
    return prediction, metrics, False


def skrub_predictions(state: ExamState) -> tuple[np.ndarray, bool]:
    """skrub's default ``tabular_pipeline`` fitted on the training rows: its predictions (cached)."""
    part1 = state.exam.part1
    table = part1.table
    folder = state.directory / CACHE / "skrub-default"
    key = _key(state, model="skrub.tabular_pipeline")
    cached = _cached(folder, key, part1)
    if cached is not None:
        return cached, True
    X = part1.train.drop(columns=[table.target])
    model = fit_skrub_default(X, part1.train[table.target], table.task)
    prediction = model_predictions(model, _features(part1), table.task, table.positive)
    _store(folder, key, part1, prediction)
    return prediction, False
