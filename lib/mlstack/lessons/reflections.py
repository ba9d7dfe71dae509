"""The two ~400-word reflections, assembled from the measured results.

The syllabus asks for prose (K2: speed and ergonomics of the reimplementation;
X3: which engine for a 10 GB CSV) that rests on measurements. The notebooks
that measure (``12_frames_compare``, ``13_csv_10gb``) call these functions
with their own records and the committed full runs, display the text, and
write it to ``reports/`` with :func:`write_reflection`.

No sentence that compares or recommends is fixed text: each is chosen from the
results (which engine finished which size under the memory cap, which speed-ups
are distinguishable from noise, which engine was fastest where), so different
numbers give different advice. Speed-ups are
:class:`~mlstack.utils.timing.Ratio` objects: a ratio whose repeated times
overlap is reported as within noise and names no winner. Published figures
are not quoted without their source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks import csv_bench, frames_report
from mlstack.benchmarks.frames_report import seconds_text, timing_of
from mlstack.utils.atomic import write_text
from mlstack.utils.timing import Ratio, speedup, speedup_phrase

__all__ = [
    "K2_FILE",
    "X3_FILE",
    "document",
    "k2_headline",
    "k2_recap",
    "k2_scale_summary",
    "k2_speed_ergonomics",
    "ratio_phrase",
    "word_count",
    "write_reflection",
    "x3_headline",
    "x3_recap",
    "x3_ten_gb_csv",
]

K2_FILE = "reflection-k2-speed-ergonomics.md"
X3_FILE = "reflection-x3-10gb-csv.md"

_NAMES = {"pandas": "pandas", "polars": "Polars", "duckdb": "DuckDB", "dask": "Dask"}

_K2_TITLE = "Reflection (K2): speed and ergonomics of one pipeline in four engines"
_X3_TITLE = "Reflection (X3): pandas, Polars or DuckDB for a 10 GB CSV?"


def word_count(text: str) -> int:
    """Count the words of markdown prose (code spans and numbers count as words)."""
    return len([token for token in text.split() if any(ch.isalnum() for ch in token)])


def document(title: str, answers: str, body: str) -> str:
    """Return a standalone markdown file: title, ``Answers:`` line, body."""
    return f"# {title}\n\nAnswers: {answers}\n\n{body.strip()}\n"


def write_reflection(text: str, filename: str, reports_dir: Path | None = None) -> Path:
    """Write a reflection into the reports directory (atomically); return its path."""
    from mlstack.utils.paths import reports_dir as default_reports_dir

    path = Path(reports_dir or default_reports_dir()) / filename
    write_text(path, text)
    return path


# --------------------------------------------------------------------------- wording


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _secs(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.2f} s"
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _size(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:,.0f} MiB"


def ratio_phrase(name: str, ratio: Ratio | None, baseline: str = "pandas") -> str:
    """:func:`mlstack.utils.timing.speedup_phrase`, with pandas as the default baseline."""
    return speedup_phrase(name, ratio, baseline)


def _faster(ratio: Ratio | None) -> bool:
    return ratio is not None and ratio.distinguishable and ratio.median > 1


# --------------------------------------------------------------------------- K2


def _live_ratios(live: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    outcomes = frames_report.pipeline_outcomes(live)
    rows = max(outcomes)
    return rows, outcomes[rows]


def _k2_intro(n_rows: int, n_columns: int, full_facts: dict[str, Any]) -> str:
    text = (
        "**What was compared.** The flights feature pipeline of this repository (two left "
        "joins, a group-by per route and hour joined back, a departures count per origin "
        "and hour, and three window features per aircraft) written once per engine over "
        f"the same Parquet files, from the files to the result written as Parquet. All four "
        f"return the same {n_rows:,} x {n_columns} table here, floats within 1e-9."
    )
    checked = [
        (rows, e, o)
        for rows, by in full_facts.get("pipeline", {}).items()
        for e, o in by.items()
        if o["same_result"] is not None
    ]
    if checked:
        top = max(rows for rows, _, _ in checked)
        same = [_NAMES[e] for rows, e, o in checked if rows == top and o["same_result"]]
        differ = [_NAMES[e] for rows, e, o in checked if rows == top and not o["same_result"]]
        reference = next(o["same_as"] for rows, _, o in checked if rows == top)
        if same:
            text += (
                f" At {top:,} rows, {_listing(same)} wrote the same rows as "
                f"{_NAMES[reference]}, compared on disk row by row"
            )
            text += f"; {_listing(differ)} did not." if differ else "."
    return text


def _k2_speed_here(live: list[dict[str, Any]]) -> str:
    rows, here = _live_ratios(live)
    finished = {e: o for e, o in here.items() if o["finished"]}
    ordered = sorted(finished, key=lambda e: finished[e]["timing"].median)
    times = _listing([f"{_NAMES[e]} {_secs(finished[e]['timing'].median)}" for e in ordered])
    compared = [ratio_phrase(_NAMES[e], here[e]["ratio"]) for e in ordered if e != "pandas"]
    return (
        f"**Speed.** In this notebook's run, at {rows:,} flights (median of the repeats): "
        f"{times}. {'; '.join(compared)}."
    )


def _k2_speed_at_scale(facts: dict[str, Any], cap: float) -> str:
    outcomes = facts.get("pipeline", {})
    if not outcomes:
        return ""
    parts = []
    biggest = facts.get("pipeline_rows")
    if biggest and biggest != min(outcomes):
        shown = [
            ratio_phrase(_NAMES[e], o["ratio"])
            for e, o in outcomes[biggest].items()
            if e != "pandas"
        ]
        parts.append(f"In the full benchmark at {biggest:,} rows, {'; '.join(shown)}.")
    top = facts.get("pipeline_max_rows")
    if top and top != biggest:
        by = outcomes[top]
        done = [
            f"{_NAMES[e]} ({_secs(o['timing'].median)}, peak {_size(o['peak_rss_mb'])})"
            for e, o in by.items()
            if o["finished"]
        ]
        failed = [_NAMES[e] for e, o in by.items() if not o["finished"]]
        text = f"At {top:,} rows, under a {cap:g} GiB cap, " + (
            f"{_listing(done)} finished" if done else "no engine finished"
        )
        parts.append(text + (f"; {_listing(failed)} did not." if failed else "."))
    return " ".join(parts)


def _k2_groupby(facts: dict[str, Any], cores: int) -> str:
    groupby = facts.get("groupby")
    if not groupby:
        return ""
    shown = "; ".join(
        ratio_phrase(_NAMES[e], r) for e, r in groupby.items() if e in ("polars", "duckdb")
    )
    text = (
        f"On the db-benchmark group-bys at {facts['groupby_rows']:,} rows (geometric mean "
        f"over q1-q5), {shown}."
    )
    threads = facts.get("threads", {})
    if threads:
        shown = ", ".join(
            f"{_NAMES[e]} {threads[e]}" for e in ("polars", "duckdb") if threads.get(e)
        )
        text += f" From one thread to {cores}, back to back: {shown}"
        if "loadavg" in facts:
            text += f" (load average up to {facts['loadavg'][1]:.1f} on {cores} cores)"
        text += (
            ". Many-core figures are the public db-benchmark's "
            "(https://duckdblabs.github.io/db-benchmark/), not measured here."
        )
    keys = facts.get("keys", {})
    if "pandas" in keys:
        text += f" Categorical keys instead of strings moved pandas' own time by {keys['pandas']}."
    return text


def _k2_ergonomics(lines: pd.DataFrame) -> str:
    total = lines.sum(axis=1).astype(int)
    counts = _listing([f"{_NAMES[e]} {total[e]}" for e in total.index])
    shortest = _listing([_NAMES[e] for e in total.index if total[e] == total.min()])
    return (
        f"**Ergonomics.** Lines of code over the three steps: {counts}; {shortest} the "
        "fewest. pandas reads plainly for the joins and group-bys, but the "
        "window step shows its seams: `groupby().rolling('24h', on=...)` returns a result "
        "indexed by (tail number, time) that must be put back by position, and flights "
        "scheduled at the same minute need a second group-by to see each other. Polars "
        "states the step as three expressions, `over('tailnum', order_by=...)` and "
        "`rolling_sum_by(...)`, that read like the specification; one trap: `Expr.rolling` "
        "over rows not sorted by time returns wrong counts without an error. DuckDB is the "
        "most declarative: a `RANGE BETWEEN INTERVAL 24 HOURS PRECEDING` window handles ties "
        "by definition and the whole pipeline is one query, at the price of SQL in strings, "
        "tested as a block. Dask reuses the pandas steps, but the aggregates must be computed "
        "in a first pass and merged into every partition, and the window needs a shuffle on "
        "the tail number."
    )


def _fits_choice(here: dict[str, Any], rows: int) -> str:
    faster = {e: o["ratio"] for e, o in here.items() if e != "pandas" and _faster(o["ratio"])}
    if not faster:
        return (
            f"pandas: no engine was distinguishably faster at {rows:,} rows, so switching "
            "buys nothing measurable here"
        )
    best = max(faster, key=lambda e: faster[e].median)
    rivals = [
        e
        for e, r in faster.items()
        if e != best and not speedup(here[e]["timing"], here[best]["timing"]).distinguishable
    ]
    pick = _NAMES[best] + (f" or {_listing([_NAMES[e] for e in rivals])}" if rivals else "")
    return f"{pick}, {faster[best]} faster than pandas at {rows:,} rows"


def _larger_choice(facts: dict[str, Any], cap: float) -> str:
    outcomes = facts.get("pipeline", {})
    top = facts.get("pipeline_max_rows")
    if not outcomes or top is None:
        return "Larger than memory was not measured in this run."
    by = outcomes[top]
    done = {e: o for e, o in by.items() if o["finished"]}
    failed = [_NAMES[e] for e in by if e not in done]
    if not failed:
        return (
            f"Every engine finished the largest size measured ({top:,} rows) under the "
            f"{cap:g} GiB cap: data larger than memory was not reached in this run."
        )
    if not done:
        return (
            f"Larger than memory: at {top:,} rows no engine finished under the {cap:g} GiB "
            "cap; this machine needs a smaller working set or more memory."
        )
    fastest = min(done, key=lambda e: done[e]["timing"].median)
    ties = [
        e
        for e in done
        if e != fastest and not speedup(done[e]["timing"], done[fastest]["timing"]).distinguishable
    ]
    names = [_NAMES[fastest], *(_NAMES[e] for e in ties)]
    if len(done) == 1:
        which = "the only engine that finished"
    elif ties:
        which = "the fastest, within noise of each other, of the engines that finished"
    else:
        which = "the fastest of the engines that finished"
    lead = "When the data outgrows pandas' memory: at" if "pandas" in failed else "At"
    text = (
        f"{lead} {top:,} rows under a {cap:g} GiB cap, where {_listing(failed)} did not "
        f"finish, {_listing(names)}, {which}"
    )
    if len(done) > 1:
        text += f" ({_listing([_NAMES[e] for e in done])})"
    return text + "." + _headroom(done, fastest)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _headroom(done: dict[str, dict[str, Any]], fastest: str) -> str:
    """Which finisher needed the least memory, when it is not the fastest."""
    leanest = min(done, key=lambda e: done[e]["peak_rss_mb"])
    if leanest == fastest or done[leanest]["peak_rss_mb"] >= done[fastest]["peak_rss_mb"]:
        return ""
    return (
        f" {_NAMES[leanest]} needed the least memory there (peak "
        f"{_size(done[leanest]['peak_rss_mb'])} against {_possessive(_NAMES[fastest])} "
        f"{_size(done[fastest]['peak_rss_mb'])}): the most room under the cap for more data."
    )


def _k2_choice(live: list[dict[str, Any]], facts: dict[str, Any], cap: float) -> str:
    rows, here = _live_ratios(live)
    pandas_time = here["pandas"]["timing"]
    text = (
        "**What I would choose.** For a feature pipeline that fits in memory and feeds "
        f"scikit-learn: {_fits_choice(here, rows)}, with `to_pandas()` at the boundary. "
        + _larger_choice(facts, cap)
    )
    if pandas_time is not None:
        text += (
            f" pandas stays the lingua franca of this curriculum; at {rows:,} rows it took "
            f"{_secs(pandas_time.median)}."
        )
    return text


def k2_speed_ergonomics(
    live: list[dict[str, Any]],
    full: dict[str, Any] | None,
    *,
    lines: pd.DataFrame,
    n_rows: int,
    n_columns: int,
    cores: int,
) -> tuple[str, str]:
    """Return the K2 reflection as ``(title, body)``, assembled from the measurements.

    Parameters
    ----------
    live : list of dict
        Records measured by the notebook (the pipeline at least, with their ``times``).
    full : dict, optional
        The committed ``bench frames`` run (``reports/timings/frames.json``).
    lines : pandas.DataFrame
        Lines of code per engine (rows) and step (columns), from
        :func:`mlstack.benchmarks.frames_report.lines_of_code`.
    n_rows, n_columns : int
        Shape of the result the four engines agreed on.
    cores : int
        CPU cores of the machine.
    """
    facts = frames_report.headline_facts(full["records"]) if full else {}
    cap = (full or {}).get("machine", {}).get("mem_limit_gb", 10.0)
    speed = " ".join(
        part
        for part in (
            _k2_speed_here(live),
            _k2_speed_at_scale(facts, cap),
            _k2_groupby(facts, cores),
        )
        if part
    )
    body = [
        _k2_intro(n_rows, n_columns, facts),
        speed,
        _k2_ergonomics(lines),
        _k2_choice(live, facts, cap),
    ]
    return _K2_TITLE, "\n\n".join(body)


def k2_headline(live: list[dict[str, Any]], n_rows: int, n_columns: int) -> str:
    """The notebook's headline: the engines agree, and which (if any) is distinguishably fastest."""
    rows, here = _live_ratios(live)
    return (
        f"{len(here)} engines, one flights pipeline: identical {n_rows:,} x {n_columns} tables; "
        f"fits in memory: {_fits_choice(here, rows)}"
    )


def k2_scale_summary(full: dict[str, Any]) -> str:
    """One line per size of the full run: who finished under the cap, how fast, the same result?"""
    facts = frames_report.headline_facts(full["records"])
    cap = full.get("machine", {}).get("mem_limit_gb", 10.0)
    lines = []
    for rows, by in facts.get("pipeline", {}).items():
        done = [
            f"{_NAMES[e]} {_secs(o['timing'].median)} (peak {_size(o['peak_rss_mb'])})"
            for e, o in by.items()
            if o["finished"]
        ]
        failed = [f"{_NAMES[e]} {o['status']}" for e, o in by.items() if not o["finished"]]
        text = f"- **{rows:,} rows**: " + (
            f"finished: {_listing(done)}" if done else "no engine finished"
        )
        if failed:
            text += f"; under the {cap:g} GiB cap, {_listing(failed)}"
        checked = {e: o for e, o in by.items() if o["same_result"] is not None}
        if checked:
            reference = _NAMES[next(iter(checked.values()))["same_as"]]
            same = [_NAMES[e] for e, o in checked.items() if o["same_result"]]
            differ = [_NAMES[e] for e, o in checked.items() if not o["same_result"]]
            if same:
                text += f". Same result as {reference}: {_listing(same)}"
            if differ:
                text += f". Different from {reference}: {_listing(differ)}"
        lines.append(text + ".")
    return "\n".join(lines)


def k2_recap(live: list[dict[str, Any]], full: dict[str, Any] | None) -> str:
    """Return the closing recap of the comparison notebook, numbers from the runs."""
    rows, here = _live_ratios(live)
    lines = [
        "- One pipeline, four engines, the same table: the equality check above passes on "
        "every run, and `tests/benchmarks/test_frames_pipeline.py` keeps it so.",
        f"- Measured here at {rows:,} flights: "
        + "; ".join(ratio_phrase(_NAMES[e], o["ratio"]) for e, o in here.items() if e != "pandas")
        + ".",
    ]
    facts = frames_report.headline_facts(full["records"]) if full else {}
    if facts.get("pipeline_max_rows"):
        cap = full.get("machine", {}).get("mem_limit_gb", 10.0)
        lines.append(f"- {_larger_choice(facts, cap)}")
    lines += [
        "- In practice: measure on your own machine and data before switching, with repeats; "
        "the ratio depends on cores, key dtypes and size as much as on the engine.",
        "- Next: `13_csv_10gb` asks the same question of a 10 GB CSV.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- X3


def _csv_record(payload: dict[str, Any], engine: str, mode: str, task: str) -> dict | None:
    for record in payload["records"]:
        if (record["engine"], record["mode"], record["task"]) == (engine, mode, task):
            return record
    return None


def _said(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not measured"
    timing = timing_of(record)
    if timing is None:
        return f"{record['status']} at {record['peak_rss_mb']:,.0f} MiB"
    return f"{_secs(timing.median)}, peak {_size(record['peak_rss_mb'])}"


def _who(record: dict[str, Any]) -> str:
    label = _NAMES[record["engine"]]
    return f"{label} ({record['mode']})" if record["engine"] == "pandas" else label


def _finished(records: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    return [r for r in records if r is not None and timing_of(r) is not None]


def _fastest(records: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    done = _finished(records)
    return min(done, key=lambda r: timing_of(r).median) if done else None


def _compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """How ``a`` compares with ``b`` (``b``'s time over ``a``'s), in words."""
    return ratio_phrase(_who(a), speedup(timing_of(b), timing_of(a)), baseline=_who(b))


def _x3_small(small: dict[str, Any]) -> str:
    whole = _csv_record(small, "pandas", "whole", "csv")
    polars = _csv_record(small, "polars", "streaming", "csv")
    if not whole or not polars or not timing_of(whole) or not timing_of(polars):
        return ""
    return (
        f"**A small file first.** At {_size(small['csv']['csv_mb'])}, measured in this "
        f"notebook, pandas reads the needed columns whole and aggregates in {_said(whole)}; "
        f"{_compare(polars, whole)}. At that size every engine fits, and the choice is about "
        "the code."
    )


def _x3_wall(big: dict[str, Any], modes: list[tuple[str, str]]) -> str:
    cap = big["machine"].get("mem_limit_gb")
    records = [_csv_record(big, *key, "csv") for key in modes]
    rows = next((x["rows"] for x in big["records"] if x.get("rows")), 0)
    done, failed = _finished(records), [r for r in records if r and timing_of(r) is None]
    text = f"**At {_size(big['csv']['csv_mb'])} ({rows:,} rows), under a {cap:g} GiB cap per engine.** "
    if failed:
        text += _listing([f"{_who(r)} {_said(r)}" for r in failed]) + ". "
    if done:
        peak = max(r["peak_rss_mb"] for r in done)
        text += (
            f"{_listing([_who(r) for r in done])} finished, in at most {_size(peak)}: "
            + "; ".join(f"{_who(r)} {_said(r)}" for r in done)
            + "."
        )
    return text


def _x3_csv_speed(big: dict[str, Any], modes: list[tuple[str, str]]) -> str:
    done = _finished([_csv_record(big, *key, "csv") for key in modes])
    if len(done) < 2:
        return ""
    ordered = sorted(done, key=lambda r: timing_of(r).median)
    fast, slow = ordered[0], ordered[-1]
    runner = ordered[1]
    return (
        f"**On the CSV**, {_who(fast)} was fastest and {_who(slow)} slowest: "
        f"{_compare(fast, slow)}; against the next, {_compare(fast, runner)}."
    )


def _x3_parquet(big: dict[str, Any]) -> str:
    convert = _csv_record(big, "duckdb", "convert", "convert")
    gains = csv_bench.parquet_gains(big)
    if convert is None or timing_of(convert) is None or not gains:
        return ""
    best = _fastest([_csv_record(big, *key, "parquet") for key in csv_bench.MODES])
    gain = gains.get((best["engine"], best["mode"])) if best else None
    paid = [g["payback"] for g in gains.values() if g["payback"] is not None]
    text = (
        f"**Parquet.** Converting took {_secs(timing_of(convert).median)} (median of "
        f"{timing_of(convert).repeat} runs) and left "
        f"{_size(convert.get('parquet_mb', 0))}; then {_who(best)} answered in {_said(best)}"
    )
    if gain is not None and gain["ratio"].distinguishable:
        word = "faster" if gain["ratio"].median > 1 else "slower"
        text += f", {gain['ratio']} {word} than the same engine on the CSV"
    elif gain is not None:
        text += f", within noise of the same engine on the CSV ({gain['ratio']})"
    if paid:
        text += (
            f". The conversion paid for itself after {min(paid)} to {max(paid)} queries, "
            "depending on the engine: convert a file that will be read more often than that."
        )
    else:
        text += ". No engine gained enough on Parquet to pay the conversion back."
    return text


def _x3_choice(big: dict[str, Any] | None, small: dict[str, Any]) -> str:
    if big is None:
        return (
            "**When I reach for which.** Not answered here: without the committed 10 GB run, "
            "nothing above measures a file that does not fit in memory."
        )
    whole = _csv_record(big, "pandas", "whole", "csv")
    streamers = [
        _csv_record(big, *key, "csv") for key in csv_bench.MODES if key[0] in ("polars", "duckdb")
    ]
    done = _finished(streamers)
    size = _size(big["csv"]["csv_mb"])
    if whole is not None and timing_of(whole) is None:
        pandas_text = (
            f"pandas read whole only when the columns fit in memory (at {size}: "
            f"{whole['status']}); in chunks when the work combines (sums and counts), writing "
            "the combine step myself."
        )
    else:
        pandas_text = f"pandas read whole: it finished at {size}, so memory was not the wall here."
    if done:
        fastest = _fastest(done)
        others = [r for r in done if r is not fastest]
        engines = _listing([_who(r) for r in done])
        text = (
            f" For a file that does not fit, a streaming engine: {engines} finished in bounded "
            f"memory at {size}, {_who(fastest)} fastest"
        )
        if others:
            text += f" ({_compare(fastest, others[0])})"
        pandas_text += text + "."
    return "**When I reach for which.** " + pandas_text


def _x3_dask(big: dict[str, Any] | None, small: dict[str, Any]) -> str:
    basis = big if big is not None else small
    dask = _csv_record(basis, "dask", "blocks", "csv")
    best = _fastest(
        [_csv_record(basis, *key, "csv") for key in csv_bench.MODES if key[0] != "dask"]
    )
    measured = ""
    if dask is not None and timing_of(dask) is not None and best is not None:
        measured = f" On this one machine, {_compare(dask, best)}."
    return (
        "**When none of them is the answer.** A distributed engine (Dask on a cluster, Spark, "
        "Ray Data) is for data that outgrows one machine's disk or time budget; that case was "
        f"not measured here.{measured} One machine and a file that fits on its disk: the "
        "single-machine engines above."
    )


def x3_ten_gb_csv(big: dict[str, Any] | None, small: dict[str, Any]) -> tuple[str, str]:
    """Return the X3 reflection as ``(title, body)``, assembled from the measurements.

    Parameters
    ----------
    big : dict, optional
        The committed ``bench csv --size-gb 10`` run (``reports/timings/csv_bench.json``).
    small : dict
        The notebook's own run at a small size (same structure).
    """
    modes = list(csv_bench.MODES)
    parts = [_x3_small(small)]
    if big is not None:
        parts += [_x3_wall(big, modes), _x3_csv_speed(big, modes), _x3_parquet(big)]
    parts += [_x3_choice(big, small), _x3_dask(big, small)]
    return _X3_TITLE, "\n\n".join(part for part in parts if part)


def x3_headline(small: dict[str, Any], size_gb: float) -> str:
    """The notebook's headline: how many runs agree, and the fastest engine on the small CSV."""
    agree = [r for r in small["records"] if r.get("same_result")]
    groups = sorted({r["groups"] for r in agree})
    fastest = _fastest([r for r in small["records"] if r["task"] == "csv"])
    text = (
        f"{len(agree)} engine runs over a {size_gb:g} GB CSV agree on one "
        f"{', '.join(f'{g:,}' for g in groups)}-group table"
    )
    if fastest is not None:
        others = [
            r for r in _finished(small["records"]) if r is not fastest and r["task"] == "csv"
        ]
        runner = min(others, key=lambda r: timing_of(r).median) if others else None
        text += f"; fastest: {_who(fastest)} ({_secs(timing_of(fastest).median)})"
        if runner is not None:
            text += f", {_compare(fastest, runner)}"
    return text


def x3_recap(big: dict[str, Any] | None, small: dict[str, Any]) -> str:
    """Return the closing recap of the 10 GB CSV notebook, numbers from the runs."""
    lines = [
        f"- Measured here: one aggregation over a {_size(small['csv']['csv_mb'])} CSV, "
        "each engine in its own process (median of the repeats, range in parentheses): "
        + "; ".join(
            f"{r['engine']} ({r['mode']}) {seconds_text(r)}"
            for r in small["records"]
            if r["task"] == "csv"
        )
        + "."
    ]
    if big is not None:
        failed = [
            f"{r['engine']} ({r['mode']}, {r['task']})"
            for r in big["records"]
            if timing_of(r) is None
        ]
        lines.append(
            f"- At {_size(big['csv']['csv_mb'])} under a "
            f"{big['machine'].get('mem_limit_gb', 0):g} GiB cap: "
            + (
                "failed for memory or time: " + ", ".join(failed)
                if failed
                else "every engine finished"
            )
            + "."
        )
    lines += [
        "- In practice: stream or spill instead of loading whole when the file nears the "
        "memory you have; convert to Parquet when the file is read more often than the "
        "conversion takes to pay back.",
        "- This closes the comparison: the other exit-test parts are in their own notebooks.",
    ]
    return "\n".join(lines)
