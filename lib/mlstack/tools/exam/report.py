"""``grade.md``: the grade as a page a learner reads, built from the measured facts only."""

from __future__ import annotations

from typing import Any

from mlstack.metrics.comparison import Verdict
from mlstack.tools.exam.outcome import Grade

__all__ = ["render_grade"]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _interval(ci: dict[str, Any]) -> str:
    return f"{ci['estimate']:.4f} | [{ci['low']:.4f}, {ci['high']:.4f}]"


def _scores(part1: dict[str, Any]) -> list[str]:
    if "yours" not in part1:
        return ["Not scored: no usable predictions."]
    metric, reference = part1["metric"], part1["reference"]
    cached = " (from the cache)" if reference["cached"] else ""
    gap = part1["gap"]
    lines = [
        f"| predictions | {metric} | 95% interval |",
        "|---|---|---|",
        f"| yours | {_interval(part1['yours'])} |",
        f"| reference: `mlstack exit-test --budget-s {reference['budget_s']:g}`, "
        f"{_cell(reference['model'])}{cached} | {_interval(reference)} |",
        f"| skrub's default `tabular_pipeline` | {_interval(part1['skrub_default'])} |",
        "",
        f"Intervals resample the {part1['private_rows']:,} private test rows (bootstrap, "
        f"{part1['n_resamples']} resamples); each comparison resamples the same rows for both "
        "models:",
        "",
        *[f"- {_verdict_sentence(v)}" for v in part1["verdicts"].values()],
        "",
        f"**Leaderboard.** {part1['submissions']} submission(s)"
        + (
            f", best public score {part1['best_public']:.4f}"
            if part1["best_public"] is not None
            else ""
        )
        + f". Your final predictions score {gap['public']:.4f} on the public half and "
        f"{gap['private']:.4f} on the private half: gap {gap['gap']:+.4f} "
        f"[{gap['low']:+.4f}, {gap['high']:+.4f}].",
    ]
    return lines


def _verdict_sentence(verdict: dict[str, Any]) -> str:
    fields = {k: v for k, v in verdict.items() if k != "names"}
    return Verdict(**fields, names=tuple(verdict["names"])).sentence()


def render_grade(grade: Grade) -> str:
    """The markdown of ``grade.md``: verdict, criteria table, scores, answers, time."""
    facts = grade.facts
    failed = grade.failed()
    n = len(grade.criteria)
    if failed:
        headline = (
            f"**Not passed: {len(failed)} of {n} criteria failed** "
            f"({', '.join(c.name for c in failed)})."
        )
    else:
        headline = f"**Passed: all {n} criteria.**"
    rows = [
        f"| {c.part} | {_cell(c.title)} | {'pass' if c.passed else '**fail**'} | {_cell(c.reason)} |"
        for c in grade.criteria
    ]
    part1, part2 = facts["part1"], facts["part2"]
    columns = ", ".join(f"`{c}`" for c in part2["columns"]) or "whole rows"
    lines = [
        f"# Exam grade (seed {grade.seed})",
        "",
        headline,
        "",
        "| part | criterion | result | why |",
        "|---|---|---|---|",
        *rows,
        "",
        f"## Part 1: `{part1['target']}` ({part1['task']}), scored on the private half",
        "",
        *_scores(part1),
        "",
        "## Part 2: the planted cause",
        "",
        f"`{part2['planted']}`: {columns}, in `{part2['target']}`'s table.",
        "",
        "## The tables",
        "",
        f"Part 1 was `{part1['table']}`; Part 2 was `{part2['table']}`.",
        "",
        "## Time",
        "",
        f"Started {facts['started_at']}; last change to a hand-in "
        f"{facts['handed_in_at'] or 'none'}"
        + (f" ({facts['elapsed_min']:.1f} min)" if facts["elapsed_min"] is not None else "")
        + f"; graded {facts['graded_at']}.",
    ]
    return "\n".join(lines).rstrip() + "\n"
