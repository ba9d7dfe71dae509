"""Write what :func:`mlstack.tools.exit_test.run.exit_test` found: report, model card, model, metrics.

Everything goes into a staging directory first and replaces the output
directory in one move (:func:`mlstack.utils.atomic.atomic_directory`), so a run that
fails half-way leaves no half-written directory behind.
"""

from __future__ import annotations

import json
import time as _time
from pathlib import Path

import pandas as pd

from mlstack.reporting.persist import save_model
from mlstack.tools.exit_test.card import describe_model, write_model_card
from mlstack.tools.exit_test.figures import model_figures
from mlstack.tools.exit_test.result import ExitTestResult, format_evidence
from mlstack.utils.atomic import atomic_directory

__all__ = [
    "family_table",
    "render_markdown",
    "report_sections",
    "search_table",
    "write_model_card",
    "write_outputs",
]


def _table(frame: pd.DataFrame, floatfmt: str = ".4f") -> str:
    return frame.to_markdown(floatfmt=floatfmt)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else "- none"


def _test_lines(result: ExitTestResult) -> list[str]:
    lines = []
    for name, value in result.metrics["test"].items():
        ci = result.test_ci.get(name)
        interval = f" (95 % bootstrap interval {ci[0]:.4f} to {ci[1]:.4f})" if ci else ""
        lines.append(f"{name}: **{value:.4f}**{interval}")
    return lines


def _figure_block(figures: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"![{caption}](figures/{name})\n\n*{caption}*" for name, caption in figures)


def family_table(families: pd.DataFrame) -> pd.DataFrame:
    """The families as shown: scores as text (4 decimals), counts as integers."""
    shown = families.copy()
    for column in ("default", "default std", "best", "s/fold"):
        shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{v:.4f}")
    return shown


def _fraction(share: float) -> str:
    return "1" if share >= 1 else f"1/{round(1 / share)}"


def search_table(rounds: pd.DataFrame) -> pd.DataFrame:
    """The search's rounds and rungs as text: shares as fractions, scores to 4 decimals.

    Render it with ``to_markdown(disable_numparse=True)`` so the text stays as is.

    Examples
    --------
    >>> log = pd.DataFrame({"round": [0], "share": [1 / 3], "rows": [1690], "candidates": [6],
    ...                     "finished": [6], "best": ["linear (default)"],
    ...                     "best_score": [0.83291], "seconds": [36.94]})
    >>> search_table(log).iloc[0].tolist()
    ['1/3', '1690', '6', '6', 'linear (default)', '0.8329', '36.9']
    """
    if rounds.empty:
        return rounds
    return (
        rounds.assign(
            share=rounds["share"].map(_fraction),
            best_score=rounds["best_score"].map(lambda v: "-" if pd.isna(v) else f"{v:.4f}"),
            seconds=rounds["seconds"].map("{:.1f}".format),
        )
        .astype(str)
        .set_index("round")
    )


def _intro(result: ExitTestResult) -> str:
    p, m = result.prepared, result.metrics
    primary = m["primary_metric"]
    return (
        f"`mlstack exit-test` on **{p.source}**, predicting **`{p.target}`** "
        f"({p.task}). Training part: {m['n_train']} rows; held-out test set: {m['n_test']} "
        f"rows, scored {m['test_evaluations']} time. Final model: **{result.choice.label}**. "
        f"Cross-validated {primary}, on folds the choice was not made on: "
        f"**{m['cv']['mean']:.4f} ± {m['cv']['std']:.4f}** (mean ± std over "
        f"{len(m['cv']['folds'])} folds); test {primary}: **{m['test'][primary]:.4f}**."
    )


def _data_section(result: ExitTestResult, figures: dict) -> str:
    profile = result.profile.columns.copy()
    profile["missing_share"] = (100 * profile["missing_share"]).round(1)
    profile = profile.rename(columns={"missing_share": "missing %"})
    profile = profile[["kind", "dtype", "missing %", "n_unique", "summary"]]
    encoded = pd.Series(result.column_kinds, name="encoded as").reindex(profile.index)
    profile["encoded as"] = encoded.fillna("not used").to_numpy()
    assoc = result.profile.target_associations.head(10).dropna(axis=1, how="all")
    return (
        f"{result.profile.n_rows} rows and {result.profile.n_columns} columns, the test "
        "set left out. The last column says how the final pipeline's TableVectorizer "
        "encodes each column (`not used`: the target and the dropped columns).\n\n"
        + _table(profile, ".3g")
        + "\n\nColumns most associated with the target (Cramér's V on a row sample; "
        "Pearson's r where both are numeric):\n\n"
        + (_table(assoc.set_index("column"), ".3f") if not assoc.empty else "none")
        + "\n\n"
        + _figure_block(figures["profile"])
    )


def _audit_section(result: ExitTestResult) -> str:
    p = result.prepared
    findings = [
        f"`{f['kind']}` ({f['severity']}) on {', '.join(map(str, f['columns']))}: "
        + format_evidence(f["evidence"], holdout=True)
        for f in p.findings
    ]
    overlap = [
        f"`{f['kind']}` ({f['severity']}) on {', '.join(map(str, f['columns'][:5]))}: "
        + format_evidence(f["evidence"])
        + f". {f['advice']}"
        for f in p.overlap
    ]
    return (
        "On the training part alone (`mlstack.tools.leakage.audit_columns`, which splits it "
        "internally into a fit part and a holdout): identifiers are dropped, and so are the "
        "target proxies that make `mlstack leakage` fail (medium or high severity, "
        "`mlstack.tools.leakage.drops_proxy`); weaker ones are kept with a warning.\n\n"
        + _bullets(findings)
        + "\n\nTrain/test overlap (warnings only; the test set decides nothing):\n\n"
        + _bullets(overlap)
    )


def _families_section(result: ExitTestResult, figures: dict) -> str:
    return (
        f"Cross-validation scheme: {result.cv_scheme}. Every candidate is a `Pipeline` "
        "whose preprocessing is what skrub's `tabular_pipeline` chooses for that kind of "
        "model, fitted on each fold's training rows only. `default`: the family's default "
        "settings (mean and std over folds, on `rows` training rows per fold); `best`: its "
        "best candidate on all rows, searched settings included; `tried`: its candidates "
        "scored on all rows.\n\n"
        + _table(family_table(result.families))
        + "\n\n"
        + _figure_block(figures["models"])
    )


def _search_section(result: ExitTestResult) -> str:
    return (
        "Round 0 screens every family's default settings; each later round draws new "
        "settings for the families still in contention (half near their best so far, half "
        "at random), scores them on a share of each fold's training rows, and moves the "
        "best third on to three times more rows. Boosting models stop adding trees on a "
        "slice of their own training rows.\n\n"
        + search_table(result.search).to_markdown(disable_numparse=True)
        + f"\n\nThe search stopped because {result.stopped}."
    )


def _choice_section(result: ExitTestResult) -> str:
    ensemble = result.ensemble
    if ensemble is None:
        built = "No ensemble was built (fewer than two candidates were scored on all rows)."
    else:
        folds = ", ".join(f"{s:.4f}" for s in ensemble.fold_scores)
        built = (
            f"Greedy ensemble selection over the best {ensemble.drawn_from} candidates, on "
            f"their out-of-fold predictions: **{ensemble.label}**. With weights found on the "
            f"other folds, it scores {folds} on each fold in turn."
        )
    return (
        "Only cross-validation decides. The reference is scikit-learn's gradient boosting "
        "with default settings (skrub's default pipeline); the best candidate and then the "
        "ensemble replace it when they score higher on folds they were not chosen on "
        "(paired, corrected t-test of Nadeau and Bengio), and not when the difference is "
        "negative or within the equivalence region.\n\n"
        + built
        + "\n\n"
        + _bullets(result.choice.reasons)
    )


def report_sections(
    result: ExitTestResult, figures: dict[str, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Return the report as ``(heading, markdown body)`` pairs."""
    p, m = result.prepared, result.metrics
    description, _ = describe_model(result)
    seconds = pd.Series(result.seconds, name="seconds").to_frame().rename_axis("phase")
    return [
        ("Summary", _intro(result)),
        ("What it decided, and why", _bullets(p.decisions)),
        ("Warnings", _bullets(p.warnings)),
        ("The data (training part)", _data_section(result, figures)),
        ("Leakage audit", _audit_section(result)),
        ("Model families", _families_section(result, figures)),
        ("Search", _search_section(result)),
        ("Ensemble and final choice", _choice_section(result)),
        (
            "Final model and the single test evaluation",
            f"Model: {description}\n\n"
            + _bullets(_test_lines(result))
            + f"\n\nThe test set was evaluated {m['test_evaluations']} time, through "
            "`mlstack.model_selection.guard.HeldOutTestSet`. The interval resamples the test "
            "rows' stored predictions; it does not look at the test set again.\n\n"
            + _figure_block(figures["test"]),
        ),
        ("Time", f"Budget: {result.budget_s:g} s.\n\n" + _table(seconds, ".1f")),
        ("Files", _files_text()),
    ]


def _files_text() -> str:
    return _bullets(
        [
            "`metrics.json`: the numbers above, machine-readable",
            "`model_card.md`: the model card",
            "`model.skops`: the fitted model; load it with `skops.io.load(path, "
            "trusted=skops.io.get_untrusted_types(file=path))` after reviewing that list",
            "`figures/`: the figures of this report",
        ]
    )


def render_markdown(title: str, sections: list[tuple[str, str]]) -> str:
    """Render ``(heading, body)`` sections under an H1 title as markdown."""
    parts = [f"# {title}"] + [f"## {heading}\n\n{body}" for heading, body in sections]
    return "\n\n".join(parts).rstrip() + "\n"


def write_outputs(result: ExitTestResult, *, started: float | None = None) -> Path:
    """Write report.md, model_card.md, model.skops, metrics.json and figures/ atomically."""
    phase = _time.perf_counter()
    p = result.prepared
    with atomic_directory(result.out_dir) as staging:
        fig_dir = staging / "figures"
        fig_dir.mkdir()
        captions, files = result.profile_figures
        for name, data in sorted(files.items()):
            (fig_dir / name).write_bytes(data)
        figures = {"profile": captions, **model_figures(result, fig_dir)}
        # deflated (skops' JSON schema shrinks about 30 times) and byte-identical between runs
        save_model(result.model, staging / "model.skops")
        (staging / "metrics.json").write_text(
            json.dumps(result.metrics, indent=2, sort_keys=False, allow_nan=False) + "\n"
        )
        now = _time.perf_counter()
        result.seconds["figures, model file"] = now - phase
        if started is not None:
            result.seconds["total"] = now - started
        title = f"Exit test: {p.name}"
        (staging / "report.md").write_text(
            render_markdown(title, report_sections(result, figures))
        )
        write_model_card(result, staging / "model_card.md")
    return result.out_dir
