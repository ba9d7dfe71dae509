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

from mlstack import framesbench
from mlstack.atomic import write_text

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
    from mlstack.paths import reports_dir as default_reports_dir

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
    parts = [f"{engine} {value:.2f} s" for engine, value in ordered]
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
        :func:`mlstack.framesbench.lines_of_code`.
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
        f"{fastest} was {ratio[fastest]:.1f}x faster than pandas, Dask "
        f"{ratio['dask']:.2f}x its speed."
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
        if facts.get("pipeline_failed"):
            speed += " At the largest size: " + "; ".join(facts["pipeline_failed"]) + "."
        if "groupby_polars" in facts:
            speed += (
                f" On the db-benchmark group-bys at {facts['groupby_rows']:,} rows the "
                f"geometric-mean speed-ups were Polars {facts['groupby_polars']:.1f}x and "
                f"DuckDB {facts['groupby_duckdb']:.1f}x, short of the 9-12x published for "
                f"many-core machines:"
            )
            if "threads_polars" in facts:
                speed += (
                    f" on these {cores} cores a second thread bought Polars only "
                    f"{facts['threads_polars']:.2f}x and DuckDB {facts['threads_duckdb']:.2f}x"
                )
            if "loadavg" in facts:
                speed += (
                    f", on a machine shared with other work (load average up to "
                    f"{facts['loadavg'][1]:.1f})"
                )
            speed += "."

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
        return f"{record['status']} (peak {record['peak_rss_mb']:,.0f} MiB)"
    return f"{_secs(record['seconds'])}, peak {record['peak_rss_mb']:,.0f} MiB"


def x3_ten_gb_csv(big: dict[str, Any] | None, small: dict[str, Any]) -> tuple[str, str]:
    """Return the X3 reflection as ``(title, body)``.

    Parameters
    ----------
    big : dict, optional
        The committed ``bench csv --size-gb 10`` run (``reports/timings/csv_bench.json``).
    small : dict
        The notebook's own run at a small size (same structure).
    """
    s = {
        (e, m): _csv_record(small, e, m, "csv")
        for e, m in (
            ("pandas", "whole"),
            ("polars", "streaming"),
            ("duckdb", "spilling"),
            ("dask", "blocks"),
        )
    }
    small_size = _size(small["csv"]["csv_mb"])
    fits = s[("pandas", "whole")]
    small_ratio = (
        fits["seconds"] / s[("polars", "streaming")]["seconds"]
        if fits and fits["seconds"] and s[("polars", "streaming")]["seconds"]
        else float("nan")
    )
    text = [
        f"**Small files first.** At {small_size} every engine fits in memory: pandas "
        f"reads the needed columns and aggregates in {_said(fits)}, {small_ratio:.1f}x "
        "the time of Polars. At this size the choice is about the code, not the engine."
    ]
    if big is not None:
        big_size = _size(big["csv"]["csv_mb"])
        cap = big["machine"].get("mem_limit_gb")
        r = {
            (e, m): _csv_record(big, e, m, "csv")
            for e, m in (
                ("pandas", "whole"),
                ("pandas", "chunked"),
                ("polars", "streaming"),
                ("duckdb", "spilling"),
                ("dask", "blocks"),
            )
        }
        convert = _csv_record(big, "duckdb", "convert", "convert")
        duck_pq = _csv_record(big, "duckdb", "spilling", "parquet")
        polars_pq = _csv_record(big, "polars", "streaming", "parquet")
        text.append(
            f"**At {big_size}, under a {cap:g} GiB cap per engine** (the machine has "
            f"{big['machine'].get('memory_gib')} GiB, shared): pandas reading the whole file "
            f"({_said(r[('pandas', 'whole')])}); pandas in chunks, {_said(r[('pandas', 'chunked')])}; "
            f"Polars streaming, {_said(r[('polars', 'streaming')])}; DuckDB, "
            f"{_said(r[('duckdb', 'spilling')])}; Dask, {_said(r[('dask', 'blocks')])}."
        )
        if convert and convert["seconds"] is not None:
            text.append(
                f"**Parquet changes the question.** Converting once took "
                f"{_secs(convert['seconds'])} with DuckDB and left "
                f"{convert.get('parquet_mb', 0):,.0f} MiB of files; then DuckDB answered in "
                f"{_said(duck_pq)} and Polars in {_said(polars_pq)}. If the file will be "
                "queried more than a few times, convert it first, whichever engine follows."
            )
    text.append(
        "**When I reach for which.** pandas when the file, or the columns I need, fit "
        "comfortably in memory, or when the work is chunk-friendly (sums and counts that "
        "combine) and the rest of the code is pandas; I write the combine step myself and "
        "run on one core. Polars when the pipeline is written in Python and must not care "
        "whether the data fits: the same lazy query runs streaming, in bounded memory, on "
        "all cores. DuckDB for ad-hoc SQL over files, joins and sorts bigger than memory "
        "(it spills to disk under `memory_limit`), and as the tool that converts the CSV "
        "to Parquet in the first place."
    )
    basis = big if big is not None else small
    dask = _csv_record(basis, "dask", "blocks", "csv")
    single = [
        r
        for r in (
            _csv_record(basis, "polars", "streaming", "csv"),
            _csv_record(basis, "duckdb", "spilling", "csv"),
        )
        if r is not None and r["seconds"] is not None
    ]
    measured = ""
    if dask is not None and single:
        fastest = min(single, key=lambda r: r["seconds"])
        name = {"polars": "Polars", "duckdb": "DuckDB"}[fastest["engine"]]
        measured = (
            f" Here, on one machine with a {_size(basis['csv']['csv_mb'])} file, Dask took "
            f"{_said(dask)}, against {name}'s {_said(fastest)}: its task scheduling and "
            "pandas partitions are overhead until there is a cluster to spread them over."
        )
    text.append(
        "**When none of the three is the answer.** Dask DataFrame (or Spark, or Ray "
        "Data) is for data that outgrows one machine: hundreds of gigabytes to terabytes, "
        f"many files, a cluster to spread them over.{measured} The rule I take away: one "
        "machine and a file that fits on its disk, Polars or DuckDB; many machines' worth "
        "of data, a distributed engine."
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
        + ", ".join(f"{e} {ratio[e]:.1f}x" for e in ("polars", "duckdb", "dask"))
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
