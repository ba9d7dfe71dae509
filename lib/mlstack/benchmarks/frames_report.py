"""Read the records of ``mlstack bench frames``: tables, ratios with their ranges, the report.

Every timing record holds the ``times`` of its repeats (see
:func:`mlstack.benchmarks.frames_bench.measure_pipeline`), so every figure read
here has a spread: seconds are shown as the median with the fastest and slowest
run, and a speed-up over pandas is a :class:`~mlstack.utils.timing.Ratio`, the
ratio of medians with the range the repeats allow, marked *within noise* when
the two engines' times overlap. A failed run (out of memory, timeout) has no
times; it is shown as its failure, never dropped.

:func:`headline_facts` gathers what the report and the K2 reflection quote;
:func:`render_report` writes ``reports/frames_bench.md`` from the records alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks.frames_pipeline import ENGINES, step_source
from mlstack.utils.timing import Ratio, Timing, speedup

__all__ = [
    "DB_BENCHMARK",
    "THEN",
    "committed_results",
    "csv_read_table",
    "explain",
    "geomean_ratio",
    "groupby_table",
    "headline_facts",
    "key_dtype_effect",
    "lines_of_code",
    "load_note",
    "pipeline_outcomes",
    "pipeline_table",
    "plot_time_vs_rows",
    "render_report",
    "seconds_text",
    "speedups",
    "spell_ratios",
    "thread_scaling",
    "timing_of",
]

#: Joins the commands of a run completed by ``--update`` (the first run, then each update).
THEN = ", then "

#: The public benchmark the group-by questions come from, to cite where its figures are meant.
DB_BENCHMARK = (
    "the db-benchmark kept by DuckDB Labs (https://duckdblabs.github.io/db-benchmark/), "
    "which runs the same questions on a many-core cloud machine"
)


# --------------------------------------------------------------------------- one record


def timing_of(record: dict[str, Any]) -> Timing | None:
    """Return the repeated times of a record, or None when the run failed.

    Examples
    --------
    >>> timing_of({"times": [0.2, 0.1, 0.3]}).median
    0.2
    >>> timing_of({"times": [], "status": "failed: out of memory"}) is None
    True
    """
    times = record.get("times") or []
    return Timing(tuple(float(t) for t in times)) if times else None


def seconds_text(record: dict[str, Any]) -> str:
    """The median time and its range, or the failure: ``"1.52 s (1.48-1.60)"``.

    Examples
    --------
    >>> seconds_text({"times": [1.5, 1.52, 1.6]})
    '1.52 s (1.50-1.60)'
    >>> seconds_text({"times": [], "status": "failed: out of memory"})
    'failed: out of memory'
    """
    timing = timing_of(record)
    if timing is None:
        return str(record.get("status", "not measured"))
    digits = 3 if timing.median < 1 else 2 if timing.median < 10 else 1
    return f"{timing.median:.{digits}f} s ({timing.best:.{digits}f}-{timing.worst:.{digits}f})"


def _label(record: dict[str, Any]) -> str:
    variant = record.get("variant") or ""
    return record["engine"] + (f" ({variant})" if variant else "")


def _engine_rank(label: str) -> int:
    engine = label.split(" ")[0]
    return ENGINES.index(engine) if engine in ENGINES else len(ENGINES)


def _study(records: list[dict[str, Any]], study: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("study") == study]


# --------------------------------------------------------------------------- ratios


def geomean_ratio(ratios: Sequence[Ratio]) -> Ratio | None:
    """The geometric mean of several ratios, with the geometric means of their ranges.

    The range is conservative: every question at the low (or high) end of its
    own range at once. It is distinguishable from 1 only when the whole range
    lies on one side of 1.

    Examples
    --------
    >>> r = geomean_ratio([Ratio(2.0, 1.5, 2.5, True), Ratio(8.0, 6.0, 10.0, True)])
    >>> round(r.median, 2), r.distinguishable
    (4.0, True)
    """
    ratios = [r for r in ratios if r is not None]
    if not ratios:
        return None

    def geo(values: list[float]) -> float:
        return math.exp(sum(math.log(v) for v in values) / len(values))

    low = geo([r.low for r in ratios])
    high = geo([r.high for r in ratios])
    return Ratio(geo([r.median for r in ratios]), low, high, low > 1 or high < 1)


def _pandas_reference(records: list[dict[str, Any]]) -> dict[tuple[str, int], Timing]:
    """Plain pandas' timing per (task, rows), whatever the study: the baseline of every ratio."""
    out = {}
    for r in records:
        timing = timing_of(r)
        if r["engine"] == "pandas" and not r.get("variant") and timing is not None:
            out.setdefault((r["task"], r["rows"]), timing)
    return out


def speedups(records: list[dict[str, Any]], study: str, task: str | None = None) -> pd.DataFrame:
    """Return one study's measurements with their speed-up over pandas.

    Parameters
    ----------
    records : list of dict
    study : str
    task : str, optional
        Keep one task (``"pipeline"``, ``"q1"``...).

    Returns
    -------
    pandas.DataFrame
        One row per record: ``label``, ``engine``, ``task``, ``rows``,
        ``median``, ``min``, ``max``, ``peak_rss_mb``, ``status``, and
        ``ratio``: a :class:`~mlstack.utils.timing.Ratio` of plain pandas'
        times on the same task and rows over the engine's (above 1: faster
        than pandas), None when either failed.
    """
    chosen = [r for r in _study(records, study) if task is None or r["task"] == task]
    if not chosen:
        return pd.DataFrame()
    reference = _pandas_reference(records)
    rows = []
    for r in chosen:
        timing, base = timing_of(r), reference.get((r["task"], r["rows"]))
        rows.append(
            {
                "label": _label(r),
                "engine": r["engine"],
                "task": r["task"],
                "rows": r["rows"],
                "threads": r.get("threads"),
                "median": timing.median if timing else None,
                "min": timing.best if timing else None,
                "max": timing.worst if timing else None,
                "peak_rss_mb": r.get("peak_rss_mb"),
                "status": r.get("status", ""),
                "ratio": speedup(base, timing) if timing and base else None,
            }
        )
    return pd.DataFrame(rows)


def _paired(records: list[dict[str, Any]], study: str, key: str, a: Any, b: Any) -> pd.DataFrame:
    """Pair the records of a study measured under two settings (``key`` = ``a`` vs ``b``)."""
    chosen = [r for r in _study(records, study) if r["task"] != "load"]
    side_a = {(r["engine"], r["task"], r["rows"]): r for r in chosen if a(r.get(key))}
    side_b = {(r["engine"], r["task"], r["rows"]): r for r in chosen if b(r.get(key))}
    rows = []
    for (engine, task, n), first in sorted(side_a.items()):
        second = side_b.get((engine, task, n))
        ta, tb = timing_of(first), timing_of(second) if second else None
        if ta is None or tb is None:
            continue
        ratio = speedup(ta, tb)
        rows.append(
            {
                "engine": engine,
                "task": task,
                "rows": n,
                "first": ta.median,
                "second": tb.median,
                "second_threads": second.get("threads"),
                "ratio": ratio,
            }
        )
    return pd.DataFrame(rows)


def thread_scaling(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Each multi-threaded engine at one thread against all cores (study ``threads``).

    Returns
    -------
    pandas.DataFrame
        ``engine``, ``task``, ``rows``, ``seconds at 1 thread``, ``seconds at
        all cores`` (medians), ``cores`` and ``all cores vs 1`` (a
        :class:`~mlstack.utils.timing.Ratio`: above 1 when the extra cores help).
    """
    frame = _paired(
        records, "threads", "threads", lambda t: t == 1, lambda t: t is not None and t > 1
    )
    if frame.empty:
        return frame
    return frame.rename(
        columns={
            "first": "seconds at 1 thread",
            "second": "seconds at all cores",
            "second_threads": "cores",
            "ratio": "all cores vs 1",
        }
    )


def key_dtype_effect(records: list[dict[str, Any]]) -> pd.DataFrame:
    """q1-q3 with string keys against categorical keys (study ``keys``).

    Returns
    -------
    pandas.DataFrame
        ``engine``, ``task``, ``rows``, ``seconds, string keys``, ``seconds,
        categorical keys`` (medians) and ``categorical vs string`` (a
        :class:`~mlstack.utils.timing.Ratio`: above 1 when categoricals are faster).
    """
    frame = _paired(records, "keys", "keys", lambda k: k == "string", lambda k: k == "category")
    if frame.empty:
        return frame
    return frame.drop(columns="second_threads").rename(
        columns={
            "first": "seconds, string keys",
            "second": "seconds, categorical keys",
            "ratio": "categorical vs string",
        }
    )


def csv_read_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Reading the group-by table from CSV into memory: seconds, peak MiB, peak per MB of CSV."""
    chosen = _study(records, "csv_read")
    if not chosen:
        return pd.DataFrame()
    return pd.DataFrame(
        [
            {
                "reader": _label(r),
                "rows": r["rows"],
                "CSV MB": r.get("csv_mb"),
                "seconds": seconds_text(r),
                "peak MiB": round(r["peak_rss_mb"]),
                "peak / CSV size": r["peak_rss_mb"] / r["csv_mb"] if r.get("csv_mb") else None,
            }
            for r in chosen
        ]
    )


# --------------------------------------------------------------------------- tables


def pipeline_table(
    records: list[dict[str, Any]], study: str = "pipeline", *, value: str = "seconds"
) -> pd.DataFrame:
    """Return the pipeline results, one row per size and one column per engine.

    Parameters
    ----------
    records : list of dict
    study : str, default="pipeline"
    value : {"seconds", "ratio", "memory"}, default="seconds"
        ``"seconds"``: the median and the range of the repeats, or the
        failure; ``"ratio"``: the speed-up over pandas with its range
        (``"within noise"`` when the times overlap); ``"memory"``: the peak
        resident memory in MiB.
    """
    frame = speedups(records, study, "pipeline")
    if frame.empty:
        return frame
    chosen = [r for r in _study(records, study) if r["task"] == "pipeline"]
    if value == "memory":
        cells = [
            f"{r['peak_rss_mb']:,.0f}" + ("" if timing_of(r) else " (failed)") for r in chosen
        ]
    elif value == "ratio":
        cells = [
            "-" if r["engine"] == "pandas" and ratio is not None else str(ratio or "-")
            for r, ratio in zip(chosen, frame["ratio"], strict=True)
        ]
    else:
        cells = [seconds_text(r) for r in chosen]
    table = frame.assign(cell=cells).pivot(index="rows", columns="label", values="cell")
    order = sorted(table.columns, key=lambda label: (_engine_rank(label), label))
    table = table[order].rename_axis(None, axis=1)
    table.index = [f"{n:,}" for n in table.index]
    return table.rename_axis("rows")


def groupby_table(records: list[dict[str, Any]], study: str = "groupby") -> pd.DataFrame:
    """Return the group-by results: one row per engine, per question the median and the ratio.

    Cells read ``"0.039 s, 3.0x (2.5-3.4x)"``; ``geomean x pandas`` combines
    the five ratios with :func:`geomean_ratio`.
    """
    frame = speedups(records, study)
    if frame.empty:
        return frame
    frame = frame[frame["task"] != "load"]
    table: dict[str, dict[str, str]] = {}
    geo: dict[str, Ratio | None] = {}
    for label, part in frame.groupby("label", sort=False):
        row = {}
        for r in part.to_dict("records"):
            if r["median"] is None or pd.isna(r["median"]):
                row[r["task"]] = r["status"]
            elif r["engine"] == "pandas" and not label.count("("):
                row[r["task"]] = f"{r['median']:.3f} s"
            else:
                row[r["task"]] = f"{r['median']:.3f} s, {r['ratio'] or '-'}"
        table[label] = row
        baseline = label == "pandas"
        geo[label] = (
            None if baseline else geomean_ratio([r for r in part["ratio"] if r is not None])
        )
    out = pd.DataFrame.from_dict(table, orient="index")
    out["geomean x pandas"] = [str(geo[label]) if geo[label] else "-" for label in out.index]
    peak = frame.groupby("label")["peak_rss_mb"].max()
    out["peak MiB"] = [f"{peak[label]:,.0f}" for label in out.index]
    order = sorted(out.index, key=lambda label: (_engine_rank(label), label))
    return out.loc[order].rename_axis("engine")


def spell_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every :class:`~mlstack.utils.timing.Ratio` cell spelled out.

    Examples
    --------
    >>> spell_ratios(pd.DataFrame({"r": [Ratio(2.0, 1.8, 2.2, True)]}))["r"].tolist()
    ['2.0x (1.8-2.2x)']
    """
    out = frame.copy()
    for column in out.columns:
        if any(isinstance(v, Ratio) for v in out[column]):
            out[column] = [str(v) if isinstance(v, Ratio) else v for v in out[column]]
    return out


# --------------------------------------------------------------------------- facts


def pipeline_outcomes(records: list[dict[str, Any]]) -> dict[int, dict[str, dict[str, Any]]]:
    """Per size, per engine: did the pipeline finish, how fast, at what peak, with the right result.

    Returns
    -------
    dict
        ``{rows: {engine: {"finished", "timing", "peak_rss_mb", "status",
        "ratio", "same_result", "same_as"}}}``; ``ratio`` is the speed-up over
        pandas (None when either failed), ``same_result`` whether the written
        result equals the reference engine's (``same_as``), None when not checked.
    """
    frame = speedups(records, "pipeline", "pipeline")
    outcomes: dict[int, dict[str, dict[str, Any]]] = {}
    chosen = [r for r in _study(records, "pipeline") if r["task"] == "pipeline"]
    for r, ratio in zip(chosen, frame["ratio"] if not frame.empty else [], strict=True):
        timing = timing_of(r)
        outcomes.setdefault(int(r["rows"]), {})[r["engine"]] = {
            "finished": timing is not None,
            "timing": timing,
            "peak_rss_mb": r.get("peak_rss_mb"),
            "status": r.get("status", ""),
            "detail": r.get("detail", ""),
            "ratio": ratio,
            "same_result": r.get("same_result"),
            "same_as": r.get("same_as"),
        }
    return dict(sorted(outcomes.items()))


def headline_facts(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the numbers a report or reflection quotes, computed from the records.

    Keys (present when measured): ``pipeline`` (:func:`pipeline_outcomes`),
    ``pipeline_rows`` (the largest size every engine finished),
    ``pipeline_max_rows``; ``groupby_rows`` and ``groupby`` (engine -> the
    geometric-mean :class:`~mlstack.utils.timing.Ratio` over pandas on q1-q5);
    ``threads`` (engine -> all cores vs one thread), ``single`` (engine ->
    q1-q5 at one thread vs pandas), ``keys`` (engine -> categorical vs string
    keys), all geometric-mean Ratios; ``csv`` (reader -> seconds text and peak
    MiB); ``loadavg`` (min, max); ``cap_gb``.
    """
    facts: dict[str, Any] = {}
    outcomes = pipeline_outcomes(records)
    if outcomes:
        facts["pipeline"] = outcomes
        complete = [n for n, by in outcomes.items() if all(o["finished"] for o in by.values())]
        facts["pipeline_rows"] = max(complete) if complete else None
        facts["pipeline_max_rows"] = max(outcomes)
    group = speedups(records, "groupby")
    if not group.empty:
        group = group[group["task"] != "load"]
        facts["groupby_rows"] = int(group["rows"].max())
        facts["groupby"] = {
            engine: geomean_ratio(list(part["ratio"]))
            for engine, part in group.groupby("engine", sort=False)
            if engine != "pandas"
        }
    scaling = thread_scaling(records)
    if not scaling.empty:
        facts["threads"] = {
            engine: geomean_ratio(list(part["all cores vs 1"]))
            for engine, part in scaling.groupby("engine", sort=False)
        }
    single = speedups(records, "threads")
    if not single.empty:
        single = single[(single["threads"] == 1) & single["task"].str.startswith("q")]
        facts["single"] = {
            engine: geomean_ratio(list(part["ratio"]))
            for engine, part in single.groupby("engine", sort=False)
        }
    keys = key_dtype_effect(records)
    if not keys.empty:
        facts["keys"] = {
            engine: geomean_ratio(list(part["categorical vs string"]))
            for engine, part in keys.groupby("engine", sort=False)
        }
    csv = [r for r in _study(records, "csv_read")]
    if csv:
        facts["csv"] = {_label(r): (seconds_text(r), r["peak_rss_mb"]) for r in csv}
        facts["csv_mb"] = csv[0].get("csv_mb")
    loads = [r["loadavg_1m"] for r in records if r.get("loadavg_1m") is not None]
    if loads:
        facts["loadavg"] = (min(loads), max(loads))
    return facts


# --------------------------------------------------------------------------- prose


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ratios_text(ratios: dict[str, Ratio | None]) -> str:
    return ", ".join(f"{engine} {ratio}" for engine, ratio in ratios.items() if ratio)


def _groupby_note(facts: dict[str, Any]) -> list[str]:
    if "groupby" not in facts:
        return []
    return [
        f"- **Group-by q1-q5 at {facts['groupby_rows']:,} rows**, geometric mean of the "
        f"speed-ups over pandas (median, and the range the repeats allow): "
        f"{_ratios_text(facts['groupby'])}. For the same questions on bigger machines, "
        f"see {DB_BENCHMARK}; its figures are not copied here because they were measured "
        "on other hardware and other versions."
    ]


def _threads_note(facts: dict[str, Any], cores: Any) -> list[str]:
    threads = facts.get("threads")
    if not threads:
        return []
    helped = [e for e, r in threads.items() if r and r.distinguishable and r.median > 1]
    hurt = [e for e, r in threads.items() if r and r.distinguishable and r.median < 1]
    noise = [e for e, r in threads.items() if r and not r.distinguishable]
    verdict = []
    if helped:
        verdict.append(f"the extra cores made {_listing(helped)} faster")
    if hurt:
        verdict.append(
            f"they made {_listing(hurt)} slower (other work kept the cores busy: a parallel "
            "query waits for its slowest thread)"
        )
    if noise:
        verdict.append(f"for {_listing(noise)} the difference is within noise")
    lines = [
        f"- **Threads.** From one thread to {cores}, measured back to back (geometric mean "
        f"over the tasks): {_ratios_text(threads)}; {'; '.join(verdict)}. pandas runs on one "
        "core whatever the machine; what more cores buy the other engines was measured here "
        f"only from one to {cores}."
    ]
    single = facts.get("single")
    if single:
        lines.append(
            f"  At one thread each, q1-q5 against pandas: {_ratios_text(single)}: the engines' "
            "advantage per core."
        )
    return lines


def _keys_note(facts: dict[str, Any]) -> list[str]:
    keys = facts.get("keys")
    if not keys:
        return []
    return [
        "- **Key dtypes.** Categorical against string keys on q1-q3 (string seconds over "
        f"categorical seconds): {_ratios_text(keys)}. The db-benchmark's pandas script "
        "(`pandas/groupby-pandas.py` in its repository) converts `id1`-`id3` to `category` "
        "after loading, so its pandas baseline has that preparation."
    ]


def _csv_note(facts: dict[str, Any]) -> list[str]:
    csv = facts.get("csv")
    if not csv:
        return []
    shown = "; ".join(f"{reader} {text}, {peak:,.0f} MiB" for reader, (text, peak) in csv.items())
    size = facts.get("csv_mb")
    return [
        f"- **CSV parsing** of the same table ({size:,.0f} MB of CSV), median seconds (range) "
        f"and peak memory: {shown}."
    ]


def _among_finishers(by: dict[str, dict[str, Any]], finished: Sequence[str]) -> str:
    """At a size some engine failed: the finishers against the first of them, and results."""
    if len(finished) < 2:
        return ""
    first = finished[0]
    shown = {e: speedup(by[first]["timing"], by[e]["timing"]) for e in finished[1:]}
    text = f" Speed-up over {first} there: {_ratios_text(shown)}."
    same = [e for e in finished if by[e]["same_result"] and by[e]["same_as"] == first]
    if same:
        text += f" Same result as {first}: {_listing(same)}."
    return text


def _pipeline_note(facts: dict[str, Any], cap: Any) -> list[str]:
    outcomes = facts.get("pipeline")
    if not outcomes:
        return []
    lines = []
    biggest = facts.get("pipeline_rows")
    if biggest:
        shown = {e: o["ratio"] for e, o in outcomes[biggest].items() if e != "pandas"}
        lines.append(
            f"- **The flights pipeline** at {biggest:,} rows (the largest size every engine "
            f"finished), speed-up over pandas: {_ratios_text(shown)}."
        )
    for rows, by in outcomes.items():
        failed = [f"{e} ({o['status']})" for e, o in by.items() if not o["finished"]]
        if not failed:
            continue
        finished = [e for e, o in by.items() if o["finished"]]
        lines.append(
            f"- **At {rows:,} rows under the {cap:g} GiB cap**, "
            + (f"{_listing(finished)} finished; " if finished else "no engine finished; ")
            + f"{_listing(failed)} did not (recorded, not hidden)."
            + _among_finishers(by, finished)
        )
    checked = [
        f"{e} at {rows:,} rows"
        for rows, by in outcomes.items()
        for e, o in by.items()
        if o["same_result"] is False
    ]
    if checked:
        lines.append("- **Results that differ from the reference engine:** " + "; ".join(checked))
    return lines


def load_note(loads: Sequence[float], cores: int | None) -> str:
    """Say what the load average recorded with each measurement tells about the run.

    The 1-minute load average counts the engines' own threads: up to the number
    of cores, the runs did not, on average, wait for a core; above it, some of
    them did (for other work, or for the benchmark's own parent process).

    Examples
    --------
    >>> load_note([0.3, 1.9], 2).endswith("on average no run waited for a core.")
    True
    >>> load_note([1.0, 3.5], 2).endswith("some of the seconds include waiting for a core.")
    True
    """
    low, high = min(loads), max(loads)
    text = f"The 1-minute load average ranged from {low:.1f} to {high:.1f} on {cores} cores, "
    if cores and high <= cores:
        return text + (
            "at most one runnable thread per core, the engines included: on average no run "
            "waited for a core."
        )
    return text + (
        "above one runnable thread per core at times, so some of the seconds include "
        "waiting for a core."
    )


def _noise_note(facts: dict[str, Any], cores: Any) -> list[str]:
    if "loadavg" not in facts:
        return []
    return [
        f"- **Noise.** {load_note(facts['loadavg'], cores)} Every time above is the median of "
        "its repeats with their range; a ratio whose two sets of times overlap is marked "
        "*within noise* and declares no winner."
    ]


def explain(records: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """The report's closing section: what the measured ratios mean, built from the records."""
    facts = headline_facts(records)
    cores, cap = machine.get("cpu_count"), machine.get("mem_limit_gb", 10.0)
    lines = ["## Reading the ratios", ""]
    lines += _pipeline_note(facts, cap)
    lines += _groupby_note(facts)
    lines += _threads_note(facts, cores)
    lines += _keys_note(facts)
    lines += _csv_note(facts)
    lines += _noise_note(facts, cores)
    return "\n".join(lines)


# --------------------------------------------------------------------------- report


def _md(frame: pd.DataFrame, floatfmt: str = ".3g") -> str:
    if frame.empty:
        return "_(no measurement)_"
    return frame.to_markdown(floatfmt=floatfmt)


def _header(command: str, machine: dict[str, Any]) -> list[str]:
    versions = ", ".join(
        f"{name} {machine[name]}" for name in (*ENGINES, "pyarrow") if name in machine
    )
    return [
        "# DataFrame engines side by side: the flights pipeline and db-benchmark group-bys",
        "",
        "pandas, Polars (lazy API), DuckDB (SQL over Parquet) and Dask DataFrame run the same "
        "work, each in its own process under a memory cap of "
        f"{machine.get('mem_limit_gb', 10):g} GiB. Every figure is measured several times "
        "in that process: seconds are the median with the fastest and slowest run in "
        "parentheses; `x pandas` is pandas' median time over the engine's (above 1: faster), "
        "with the range the repeats allow, *within noise* when the two sets of times overlap. "
        "Peak memory is the process's peak resident set size.",
        "",
        ("Commands: " if THEN in command else "Command: ")
        + THEN.join(f"`{part}`" for part in command.split(THEN)),
        "",
        f"Machine: {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB RAM, "
        f"Python {machine.get('python')}; {versions}.",
        "",
    ]


def _pipeline_section(records: list[dict[str, Any]], plot_name: str | None) -> list[str]:
    repeats = sorted({r.get("repeat") for r in _study(records, "pipeline") if r.get("repeat")})
    parts = [
        "## The flights feature pipeline",
        "",
        "Joins with weather and planes, group-by aggregates per route and hour, window "
        "features per aircraft (`mlstack.benchmarks.frames_pipeline`), from the Parquet "
        "inputs to the result written as Parquet; the real data and copies of it with the "
        "keys varied, so that the number of groups grows with the rows. Repeats per "
        f"measurement: {', '.join(map(str, repeats)) or '-'}. Seconds:",
        "",
        _md(pipeline_table(records)),
        "",
        "Speed-up over pandas:",
        "",
        _md(pipeline_table(records, value="ratio")),
        "",
        "Peak memory of each process (MiB):",
        "",
        _md(pipeline_table(records, value="memory")),
        "",
    ]
    if plot_name:
        parts += [f"![time vs rows]({plot_name})", ""]
    return parts


def _groupby_section(records: list[dict[str, Any]]) -> list[str]:
    parts = [
        "## db-benchmark group-by questions q1-q5",
        "",
        "Per question, the median seconds after one load and the speed-up over pandas with "
        "its range; the generator's shape (`id1`-`id6`, `v1`-`v3`, K=100). Peak memory is "
        "the process's after all five questions.",
        "",
        _md(groupby_table(records)),
        "",
    ]
    for title, table in (
        ("String against categorical keys (`id1`-`id3`), back to back:", "keys"),
        ("Each multi-threaded engine at one thread and at all cores, back to back:", "threads"),
    ):
        frame = groupby_table(records, table)
        if not frame.empty:
            parts += [title, "", _md(frame), ""]
    return parts


def _evidence_section(records: list[dict[str, Any]]) -> list[str]:
    scaling, keys, csv = (
        thread_scaling(records),
        key_dtype_effect(records),
        csv_read_table(records),
    )
    tables = [
        ("Thread scaling (all cores against one thread):", scaling),
        ("Key dtypes (categorical against string keys):", keys),
        ("Reading the group-by table from CSV into memory:", csv),
    ]
    if all(frame.empty for _, frame in tables):
        return []
    parts = ["## Evidence", ""]
    for title, frame in tables:
        if frame.empty:
            continue
        text = spell_ratios(frame).to_markdown(index=False, floatfmt=".3g", intfmt=",")
        parts += [title, "", text, ""]
    return parts


def render_report(
    records: list[dict[str, Any]],
    *,
    command: str,
    machine: dict[str, Any],
    plot_name: str | None = None,
) -> str:
    """Return the markdown report of a ``bench frames`` run, from its records alone."""
    parts = _header(command, machine)
    parts += _pipeline_section(records, plot_name)
    parts += _groupby_section(records)
    parts += _evidence_section(records)
    parts += [explain(records, machine), ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- ergonomics, plot


def lines_of_code() -> pd.DataFrame:
    """Count the lines of each pipeline step in each engine (an ergonomics measure).

    Counts non-blank lines of :func:`mlstack.benchmarks.frames_pipeline.step_source`,
    leaving out comments, ``def`` lines and imports. Dask's window step runs
    pandas' window step on each partition, so those lines count for Dask too.

    Returns
    -------
    pandas.DataFrame
        One row per engine, one column per step (``join``, ``group``, ``window``).
    """

    def count(text: str) -> int:
        skip = ("#", "--", "def ", "import ", "from ", '"""')
        return sum(
            1 for line in text.splitlines() if line.strip() and not line.strip().startswith(skip)
        )

    steps = ("join", "group", "window")
    table = pd.DataFrame(
        {step: [count(step_source(e, step)) for e in ENGINES] for step in steps},
        index=pd.Index(ENGINES, name="engine"),
    )
    table.loc["dask", "window"] += table.loc["pandas", "window"]
    return table


def plot_time_vs_rows(records: list[dict[str, Any]], ax: Any = None, *, study: str = "pipeline"):
    """Plot the pipeline's seconds against rows, log-log, one line per engine.

    Each point is the median of the repeats, its bar the fastest to the slowest
    run. Failed runs (out of memory, timeout) have no point; they are listed in
    the lower right corner.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    frame = speedups(records, study, "pipeline")
    if ax is None:
        _, ax = plt.subplots()
    markers = dict(zip(ENGINES, "osD^", strict=True))
    for engine in ENGINES:
        part = frame[(frame["engine"] == engine) & frame["median"].notna()].sort_values("rows")
        if part.empty:
            continue
        spread = [part["median"] - part["min"], part["max"] - part["median"]]
        ax.errorbar(
            part["rows"],
            part["median"],
            yerr=spread,
            marker=markers[engine],
            capsize=3,
            label=engine,
        )
    failed = frame[frame["median"].isna()] if not frame.empty else frame
    notes = [
        f"{int(n):,} rows: {', '.join(group['engine'])} failed"
        for n, group in (failed.groupby("rows") if not failed.empty else [])
    ]
    if notes:
        ax.text(
            0.98,
            0.03,
            "\n".join(notes),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows (flights)")
    ax.set_ylabel("wall time (s, median and range of the repeats)")
    ax.set_title("Flights feature pipeline: time vs rows, one process per engine")
    ax.legend(title="engine", loc="upper left")
    return ax


def committed_results(
    name: str = "frames", reports: str | os.PathLike[str] | None = None
) -> dict[str, Any] | None:
    """Return the committed full-run results ``reports/timings/<name>.json``, if any.

    Notebooks read the full measurement from here (it takes far longer than a
    notebook may), whatever reports directory their own run writes to. A file
    written before timings kept their repeats (no ``times`` in its records) is
    not read: its single-shot figures are not evidence.

    Parameters
    ----------
    name : str, default="frames"
    reports : path-like, optional
        The reports directory; the repository's ``reports/`` by default.
    """
    import json

    from mlstack.utils.paths import repo_root

    root = Path(reports) if reports is not None else repo_root() / "reports"
    path = root / "timings" / f"{name}.json"
    if not path.exists():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    records = payload.get("records") or []
    if not records or any("times" not in r for r in records):
        return None
    return payload
