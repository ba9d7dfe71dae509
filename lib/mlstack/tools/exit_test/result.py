"""What :func:`mlstack.tools.exit_test.run.exit_test` decides and returns.

The prepared data (:class:`Prepared`), the whole result (:class:`ExitTestResult`), and
how a finding's evidence is written in the report. Both the run and the report
writer import these, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.reporting.table_profile import TableProfile

__all__ = ["ExitTestResult", "Prepared", "format_evidence"]


@dataclass
class Prepared:
    """The validated data and every decision taken before any model is fitted."""

    name: str
    source: str
    task: str
    task_reason: str
    target: str
    time: str | None
    group: str | None
    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    groups_train: pd.Series | None
    split_how: str
    dropped: dict[str, str]
    warnings: list[str]
    decisions: list[str]
    findings: list[dict[str, Any]]
    overlap: list[dict[str, Any]]
    fingerprints: dict[str, str]
    coerce: list[str]
    train_frame: pd.DataFrame = field(repr=False)


@dataclass
class ExitTestResult:
    """Everything :func:`exit_test` decided, measured and wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The directory written (``report.md``, ``model_card.md``, ``model.skops``,
        ``metrics.json``, ``figures/``).
    metrics : dict
        The content of ``metrics.json``.
    prepared : Prepared
        The split, the dropped columns with reasons, warnings and decisions.
    profile : TableProfile
        The profile of the training part.
    families : pandas.DataFrame
        One row per model family: its default settings' cross-validated score, the
        best of its searched settings, how many were tried, why it stopped.
    search : pandas.DataFrame
        One row per round and rung of the search (share of rows, candidates,
        finished, best score, seconds).
    choice : Choice
        The final model's members and weights, its honest per-fold scores and the
        verdicts that chose it.
    ensemble : Ensemble or None
        The ensemble the cross-validation built (used or not).
    model : estimator
        The final fitted model (also saved as ``model.skops``).
    test_ci : dict
        95 % bootstrap interval of each test metric, from the single evaluation.
    seconds : dict
        Wall time per phase.
    stopped : str
        Why the search stopped.
    pool : list of Evaluation
        Every candidate scored on all training rows, best first.
    profile_figures : tuple
        The profile's figures, drawn early: ``([(file, caption)], {file: PNG bytes})``.
    """

    out_dir: Path
    metrics: dict[str, Any]
    prepared: Prepared
    profile: TableProfile
    families: pd.DataFrame
    search: pd.DataFrame
    choice: Any
    ensemble: Any
    model: Any
    test_ci: dict[str, tuple[float, float]]
    seconds: dict[str, float]
    budget_s: float
    seed: int
    cv_scheme: str
    stopped: str
    column_kinds: dict[str, str]
    test_evaluations: int
    evaluation: Any = field(repr=False, default=None)
    pool: list[Any] = field(repr=False, default_factory=list)
    profile_figures: tuple[list[tuple[str, str]], dict[str, bytes]] = field(
        repr=False, default=([], {})
    )


def format_evidence(evidence: dict[str, Any], *, holdout: bool = False, limit: int = 5) -> str:
    """The scalar numbers of a finding's evidence, as ``name=value`` pairs.

    With ``holdout=True`` (column findings), the audit's "test" is its own split of
    the training part, named ``holdout`` here so it is not taken for the test set.
    """
    items = []
    for key, value in sorted(evidence.items()):
        if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            continue
        name = key.replace("test", "holdout") if holdout else key
        items.append(f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}")
    return ", ".join(items[:limit])
