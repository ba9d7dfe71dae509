"""The two ~400-word reflections, written from measured numbers.

The syllabus asks for prose (K2: speed and ergonomics of the reimplementation;
X3: which engine for a 10 GB CSV) that rests on measurements. The notebooks
that measure (``12_frames_compare``, ``13_csv_10gb``) call these functions
with their own records and the committed full runs, display the text, and
write it to ``reports/`` with :func:`write_reflection`. Every number in the
text is interpolated from the records, never typed in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks import frames_bench as framesbench
from mlstack.utils.atomic import write_text

__all__ = [
    "K2_FILE",
    "X3_FILE",
    "document",
    "k2_recap",
    "k2_speed_ergonomics",
    "word_count",
    "write_reflection",
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


def _pipeline_seconds(records: list[dict[str, Any]], rows: int) -> dict[str, float]:
    return {
        r["engine"]: r["seconds"]
        for r in records
        if r["study"] == "pipeline" and r["rows"] == rows and r["seconds"] is not None
    }


def _ranking(seconds: dict[str, float]) -> str:
    ordered = sorted(seconds.items(), key=lambda item: item[1])
    parts = [f"{_NAMES[engine]} {_secs(value)}" for engine, value in ordered]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}"


def k2_speed_ergonomics(
    live: list[dict[str, Any]],
    full: dict[str, Any] | None,
    *,
    lines: pd.DataFrame,
    n_rows: int,
    n_columns: int,
    cores: int,
) -> tuple[str, str]:
    """Return the K2 reflection as ``(title, body)``.

    Parameters
    ----------
    live : list of dict
        Records measured by the notebook (pipeline at least).
    full : dict, optional
        The committed ``bench frames`` run (``reports/timings/frames.json``).
    lines : pandas.DataFrame
        Lines of code per engine (rows) and step (columns), from
        :func:`mlstack.benchmarks.frames_bench.lines_of_code`.
    n_rows, n_columns : int
        Shape of the result the four engines agreed on.
    cores : int
        CPU cores of the machine.
    """
    rows = max(r["rows"] for r in live if r["study"] == "pipeline")
    seconds = _pipeline_seconds(live, rows)
    pandas_s = seconds["pandas"]
    fastest = min(seconds, key=seconds.get)
    ratio = {engine: pandas_s / value for engine, value in seconds.items()}
    total = lines.sum(axis=1)

    speed = (
        f"**Speed.** In this notebook's run, at {rows:,} flights, {_ranking(seconds)}: "
        f"{_NAMES[fastest]} was {ratio[fastest]:.1f}x faster than pandas."
    )
    if full is not None:
        facts = framesbench.headline_facts(full["records"])
        big = facts.get("pipeline_rows")
        if big:
            speed += (
                f" In the full benchmark, at {big:,} rows, Polars was "
                f"{facts['pipeline_polars']:.1f}x and DuckDB {facts['pipeline_duckdb']:.1f}x "
                f"pandas' speed, with peaks of {facts['pipeline_peak_polars']:,.0f} and "
                f"{facts['pipeline_peak_duckdb']:,.0f} MiB against pandas' "
                f"{facts['pipeline_peak_pandas']:,.0f}."
            )
        top = facts.get("pipeline_max_rows")
        if top and top != big:
            at_top = [
                r
                for r in full["records"]
                if r["study"] == "pipeline" and r["task"] == "pipeline" and r["rows"] == top
            ]
            done = [r for r in at_top if r["seconds"] is not None]
            failed = [_NAMES[r["engine"]] for r in at_top if r["seconds"] is None]
            cap = full.get("machine", {}).get("mem_limit_gb", 10)
            speed += f" At {top:,} rows, under a {cap:g} GiB cap, " + (
                " and ".join(
                    f"{_NAMES[r['engine']]} finished ({_secs(r['seconds'])}, "
                    f"{_size(r['peak_rss_mb'])})"
                    for r in done
                )
                or "no engine finished"
            )
            if failed:
                listed = (
                    ", ".join(failed[:-1]) + " and " + failed[-1] if len(failed) > 1 else failed[0]
                )
                speed += f"; {listed} ran out of memory"
            speed += "."
        if "groupby_polars" in facts:
            speed += (
                f" On the db-benchmark group-bys at {facts['groupby_rows']:,} rows the "
                f"geometric-mean speed-ups were Polars {facts['groupby_polars']:.1f}x and "
                f"DuckDB {facts['groupby_duckdb']:.1f}x, short of the 9-12x published for "
                f"many-core machines:"
            )
            if "threads_polars" in facts:
                tp, td = facts["threads_polars"], facts["threads_duckdb"]
                verb = (
                    "bought Polars only" if min(tp, td) >= 1 else "changed the speed of Polars by"
                )
                speed += f" on these {cores} cores a second thread {verb} {tp:.2f}x and DuckDB {td:.2f}x"
                if min(tp, td) < 1:
                    speed += " (slower: the cores were busy with other work)"
            if "loadavg" in facts:
                speed += (
                    f", on a machine shared with other work (load average up to "
                    f"{facts['loadavg'][1]:.1f})"
                )
            speed += "."
            if "keys_pandas" in facts:
                speed += (
                    f" Categorical keys instead of strings made pandas' string-keyed "
                    f"questions {facts['keys_pandas']:.1f}x faster: the baseline moves too."
                )

    ergonomics = (
        "**Ergonomics.** pandas is the shortest path for the joins and group-bys, but the "
        "window step shows its seams: `groupby().rolling('24h', on=...)` returns a result "
        "indexed by (tail number, time) that must be put back by position, and flights "
        "scheduled at the same minute need a second group-by to see each other. Polars "
        "states the step as three expressions, `over('tailnum', order_by=...)` and "
        "`rolling_sum_by(...)`, that read like the specification, and the lazy plan reads "
        "only the columns it needs; one trap: `Expr.rolling` over rows not sorted by time "
        "returns wrong counts without an error. DuckDB is the most declarative: a `RANGE "
        "BETWEEN INTERVAL 24 HOURS PRECEDING` window handles ties by definition and the "
        "whole pipeline is one query, at the price of SQL in strings, tested as a block. "
        f"Dask reuses the pandas code ({total['dask']:.0f} lines against pandas' "
        f"{total['pandas']:.0f}, Polars' {total['polars']:.0f} and DuckDB's "
        f"{total['duckdb']:.0f}), but the window needs a shuffle on the tail number, "
        "`nunique` is not an `agg` name, and its optimizer rejected the merge-back until "
        "the aggregates were kept in one partition."
    )
    best = max(("polars", "duckdb"), key=lambda engine: ratio[engine])
    other = "duckdb" if best == "polars" else "polars"
    names = {"polars": "Polars", "duckdb": "DuckDB"}
    if ratio[best] > 1:
        pick = (
            f"{names[best]}, {ratio[best]:.1f}x faster than pandas here for about the same "
            "number of lines"
        )
    else:
        pick = (
            f"still pandas: neither engine beat it at this size ({names[best]} "
            f"{ratio[best]:.1f}x), so the switch buys nothing yet"
        )
    choice = (
        "**What I would choose.** For a feature pipeline that fits in memory and feeds "
        f"scikit-learn: {pick}, with `to_pandas()` at the boundary. {names[other]} when "
        + (
            "the logic is naturally SQL or the files are larger than memory. "
            if other == "duckdb"
            else "the pipeline must run in bounded memory from Python expressions. "
        )
        + "pandas stays the lingua franca of this curriculum and is fast enough at "
        f"{rows:,} rows ({pandas_s:.1f} s). Dask earns its overhead only once the data "
        "outgrows one machine."
    )
    intro = (
        "**What was compared.** The flights feature pipeline of this repository (two left "
        "joins, a group-by per route and hour joined back, a departures count per origin "
        "and hour, and three window features per aircraft) written once per engine over "
        f"the same Parquet files. All four return the same {n_rows:,} x {n_columns} table, "
        "floats within 1e-9, and a test keeps it so."
    )
    return _K2_TITLE, "\n\n".join([intro, speed, ergonomics, choice])


def _csv_record(payload: dict[str, Any], engine: str, mode: str, task: str) -> dict | None:
    for record in payload["records"]:
        if (record["engine"], record["mode"], record["task"]) == (engine, mode, task):
            return record
    return None


def _secs(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.2f} s"
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _size(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:,.0f} MiB"


def _said(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not measured"
    if record["seconds"] is None:
        return f"{record['status']} at {record['peak_rss_mb']:,.0f} MiB"
    return f"{_secs(record['seconds'])}, peak {record['peak_rss_mb']:,.0f} MiB"


def _ended(record: dict[str, Any] | None) -> str:
    if record is None:
        return "was not measured"
    if record["seconds"] is None and record["status"] == "failed: out of memory":
        return f"was stopped by the cap at {record['peak_rss_mb']:,.0f} MiB"
    if record["seconds"] is None:
        return f"{record['status']}"
    return f"took {_said(record)}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _fastest(records: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    done = [r for r in records if r is not None and r["seconds"] is not None]
    return min(done, key=lambda r: r["seconds"]) if done else None


def _who(record: dict[str, Any]) -> str:
    label = _NAMES[record["engine"]]
    return f"{label} ({record['mode']})" if record["engine"] == "pandas" else label


def x3_ten_gb_csv(big: dict[str, Any] | None, small: dict[str, Any]) -> tuple[str, str]:
    """Return the X3 reflection as ``(title, body)``.

    Parameters
    ----------
    big : dict, optional
        The committed ``bench csv --size-gb 10`` run (``reports/timings/csv_bench.json``).
    small : dict
        The notebook's own run at a small size (same structure).
    """
    modes = (
        ("pandas", "whole"),
        ("pandas", "chunked"),
        ("polars", "streaming"),
        ("duckdb", "spilling"),
        ("dask", "blocks"),
    )
    text = []
    s = {key: _csv_record(small, *key, "csv") for key in modes}
    fits, polars_small = s[("pandas", "whole")], s[("polars", "streaming")]
    if fits and polars_small and fits["seconds"] and polars_small["seconds"]:
        text.append(
            f"**A small file first.** At {_size(small['csv']['csv_mb'])}, measured in this "
            f"notebook, every engine fits: pandas reads the needed columns and aggregates in "
            f"{_said(fits)}, {fits['seconds'] / polars_small['seconds']:.1f}x Polars' time. "
            "At that size the choice is about the code, not the engine."
        )
    basis = big if big is not None else small
    r = {key: _csv_record(basis, *key, "csv") for key in modes}
    if big is not None:
        cap = big["machine"].get("mem_limit_gb")
        whole = r[("pandas", "whole")]
        streamed = [r[key] for key in modes[1:] if r[key] is not None and r[key]["seconds"]]
        peak = max(x["peak_rss_mb"] for x in streamed) if streamed else float("nan")
        rows = next((x["rows"] for x in big["records"] if x.get("rows")), 0)
        text.append(
            f"**At {_size(big['csv']['csv_mb'])} ({rows:,} rows), loading is the wall.** "
            f"Under a {cap:g} GiB cap per engine, pandas reading 7 of the 19 columns whole "
            f"{_ended(whole)}. Everything that streams fit in at most "
            f"{_size(peak)}: pandas in chunks {_said(r[('pandas', 'chunked')])}; Polars "
            f"{_said(r[('polars', 'streaming')])}; DuckDB {_said(r[('duckdb', 'spilling')])}; "
            f"Dask {_said(r[('dask', 'blocks')])}."
        )
        fast, slow = _fastest(streamed), max(streamed, key=lambda x: x["seconds"])
        spread = slow["seconds"] / fast["seconds"]
        heading = "On CSV the engines are close" if spread <= 2 else "On CSV the engines differ"
        text.append(
            f"**{heading}.** {_who(fast)} was fastest and {_who(slow)} "
            f"slowest, {slow['seconds'] / fast['seconds']:.1f}x apart: parsing text "
            "dominates, and on two busy cores a parallel parser has little to parallelize."
        )
        convert = _csv_record(big, "duckdb", "convert", "convert")
        pq = [_csv_record(big, *key, "parquet") for key in modes]
        best_pq = _fastest(pq)
        if convert and convert["seconds"] is not None and best_pq is not None:
            same = _csv_record(big, best_pq["engine"], best_pq["mode"], "csv")
            gain = (
                f", {same['seconds'] / best_pq['seconds']:.0f}x faster than on the CSV"
                if same and same["seconds"]
                else ""
            )
            text.append(
                f"**Parquet changes the answer.** Converting once took "
                f"{_secs(convert['seconds'])} and left {_size(convert.get('parquet_mb', 0))}; "
                f"then {_who(best_pq)} answered in {_said(best_pq)}{gain}. A file read more "
                "than a few times should be converted first, whichever engine follows."
            )
    text.append(
        "**When I reach for which.** pandas when the columns I need fit comfortably in "
        "memory, or when the work is chunk-friendly (sums and counts that combine) and the "
        "rest of the code is pandas; I write the combine step myself. Polars when the "
        "pipeline lives in Python and must not care whether the data fits: the same lazy "
        "query runs streaming, in bounded memory. DuckDB for SQL over files, joins and sorts "
        "bigger than memory (it spills under `memory_limit`), and to convert the CSV to "
        "Parquet in the first place."
    )
    dask = r[("dask", "blocks")]
    best_single = _fastest([r[("polars", "streaming")], r[("duckdb", "spilling")]])
    measured = ""
    if dask is not None and dask["seconds"] is not None and best_single is not None:
        verdict = (
            "it kept up on an aggregation that splits cleanly, but only after its "
            "partitions were sized by hand, and it gains nothing a single-machine engine "
            "lacks"
            if dask["seconds"] <= 1.25 * best_single["seconds"]
            else "its task scheduling and pandas partitions are overhead on one machine"
        )
        measured = (
            f" Here Dask took {_said(dask)} against {_possessive(_who(best_single))} "
            f"{_said(best_single)}: {verdict}."
        )
    text.append(
        "**When none of the three is the answer.** Dask DataFrame (or Spark, or Ray Data) "
        "is for data that outgrows one machine: hundreds of gigabytes to terabytes, many "
        f"files, a cluster to spread them over.{measured} One machine and a file that fits "
        "on its disk: Polars or DuckDB. Many machines' worth of data: a distributed engine."
    )
    return _X3_TITLE, "\n\n".join(text)


def k2_recap(live: list[dict[str, Any]], full: dict[str, Any] | None) -> str:
    """Return the closing recap of the comparison notebook, numbers from the runs."""
    rows = max(r["rows"] for r in live if r["study"] == "pipeline")
    seconds = _pipeline_seconds(live, rows)
    ratio = {engine: seconds["pandas"] / value for engine, value in seconds.items()}
    lines = [
        "- One pipeline, four engines, the same table: the equality check above passes on "
        "every run, and `tests/test_frames.py` keeps it so.",
        f"- Measured here at {rows:,} flights, speed-up over pandas: "
        + ", ".join(f"{_NAMES[e]} {ratio[e]:.1f}x" for e in ("polars", "duckdb", "dask"))
        + ".",
    ]
    if full is not None:
        facts = framesbench.headline_facts(full["records"])
        if "groupby_polars" in facts:
            lines.append(
                f"- In the full run, the db-benchmark group-bys at {facts['groupby_rows']:,} "
                f"rows: Polars {facts['groupby_polars']:.1f}x, DuckDB "
                f"{facts['groupby_duckdb']:.1f}x pandas' speed on this machine, against "
                "9-12x in the public record on many-core machines."
            )
    lines += [
        "- In practice: measure on your own machine and data before switching; the ratio "
        "depends on cores, key dtypes and size as much as on the engine.",
        "- Next: `13_csv_10gb` asks the same question of a 10 GB CSV.",
    ]
    return "\n".join(lines)


def x3_recap(big: dict[str, Any] | None, small: dict[str, Any]) -> str:
    """Return the closing recap of the 10 GB CSV notebook, numbers from the runs."""
    lines = [
        f"- Measured here: one aggregation over a {_size(small['csv']['csv_mb'])} CSV, "
        "each engine in its own process: "
        + "; ".join(
            f"{r['engine']} ({r['mode']}) {_said(r)}"
            for r in small["records"]
            if r["task"] == "csv"
        )
        + "."
    ]
    if big is not None:
        failed = [
            f"{r['engine']} ({r['mode']}, {r['task']})"
            for r in big["records"]
            if r["seconds"] is None
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
        "- In practice: stream (Polars) or spill (DuckDB) instead of loading; convert to "
        "Parquet when the file is read more than a few times; go distributed only when the "
        "data outgrows one machine.",
        "- This closes the comparison: the other exit-test parts are in their own notebooks.",
    ]
    return "\n".join(lines)
