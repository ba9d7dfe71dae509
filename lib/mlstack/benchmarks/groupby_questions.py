"""The db-benchmark group-by questions q1-q5 in pandas, Polars, DuckDB and Dask.

The public `db-benchmark <https://duckdblabs.github.io/db-benchmark/>`_ (first
by H2O.ai, now kept by DuckDB Labs) times group-by and join questions on
synthetic tables. Its group-by data generator makes ``N`` rows with ``K = 100``:

=====  ===========================================  ==================
 col    values                                       groups
=====  ===========================================  ==================
 id1    ``"id001"`` ... ``"id100"`` (string)          K
 id2    ``"id001"`` ... ``"id100"`` (string)          K
 id3    ``"id0000000001"`` ... (string)               N / K
 id4    1 ... K (int)                                 K
 id5    1 ... K (int)                                 K
 id6    1 ... N / K (int)                             N / K
 v1     1 ... 5 (int)
 v2     1 ... 5 (int)
 v3     uniform on [0, 100), 4 decimals (float)
=====  ===========================================  ==================

:func:`generate` draws the same shape with numpy (not R's random stream, so
not the same bytes). :data:`QUESTIONS` are the first five questions, written
as the benchmark's own scripts write them (pandas with
``sort=False, observed=True, dropna=False``).

Examples
--------
>>> import tempfile, pathlib
>>> path = generate(1000, directory=tempfile.mkdtemp())
>>> records = timed_questions("polars", str(path), questions=("q1",), repeat=1)
>>> [r["task"] for r in records]
['load', 'q1']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from mlstack.benchmarks.child_process import process_peak_mb
from mlstack.benchmarks.frames_pipeline import ENGINES, import_engine, quiet_dask
from mlstack.errors import InputError
from mlstack.utils.atomic import atomic_path
from mlstack.utils.timing import MIN_REPEAT, peak_rss_mb, time_repeats


def _peak_so_far() -> float:
    return process_peak_mb() or peak_rss_mb()


__all__ = ["QUESTIONS", "generate", "timed_questions", "timed_read_csv"]

#: The questions: name -> (description, group keys, {column: aggregate}).
QUESTIONS: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "q1": ("sum v1 by id1", ["id1"], {"v1": "sum"}),
    "q2": ("sum v1 by id1:id2", ["id1", "id2"], {"v1": "sum"}),
    "q3": ("sum v1 mean v3 by id3", ["id3"], {"v1": "sum", "v3": "mean"}),
    "q4": ("mean v1:v3 by id4", ["id4"], {"v1": "mean", "v2": "mean", "v3": "mean"}),
    "q5": ("sum v1:v3 by id6", ["id6"], {"v1": "sum", "v2": "sum", "v3": "sum"}),
}

_STRING_KEYS = ("id1", "id2", "id3")


def generate(
    n: int,
    k: int = 100,
    *,
    directory: str | os.PathLike[str] | None = None,
    csv: bool = False,
    seed: int = 108,
) -> Path:
    """Write the group-by table of ``n`` rows as Parquet (and CSV); reuse it if present.

    Parameters
    ----------
    n : int
        Rows.
    k : int, default=100
        Groups of the low-cardinality keys; ``id3`` and ``id6`` get ``n // k``.
    directory : path-like, optional
        Where to write; ``data/dbbench`` (git-ignored) by default.
    csv : bool, default=False
        Also write the CSV beside the Parquet file (same stem).
    seed : int, default=108
        Seed of the generator (the benchmark's R script uses 108 too).

    Returns
    -------
    pathlib.Path
        The Parquet file; the CSV is ``path.with_suffix(".csv")``.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from mlstack.utils.paths import data_dir

    if n < k:
        raise InputError(f"the group-by table needs at least k={k} rows, got n={n}")
    directory = Path(directory) if directory is not None else data_dir() / "dbbench"
    path = directory / f"G1_{n}_{k}_seed{seed}.parquet"
    csv_path = path.with_suffix(".csv")
    if path.exists() and (csv_path.exists() or not csv):
        return path
    rng = np.random.default_rng(seed)
    small = n // k

    def labels(count: int, width: int) -> pa.Array:
        return pa.array(
            np.char.add("id", np.char.zfill(np.arange(1, count + 1).astype(str), width))
        )

    def strings(count: int, width: int) -> pa.Array:
        codes = pa.array(rng.integers(0, count, n, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(codes, labels(count, width)).cast(pa.string())

    table = pa.table(
        {
            "id1": strings(k, 3),
            "id2": strings(k, 3),
            "id3": strings(small, 10),
            "id4": rng.integers(1, k + 1, n, dtype=np.int32),
            "id5": rng.integers(1, k + 1, n, dtype=np.int32),
            "id6": rng.integers(1, small + 1, n, dtype=np.int32),
            "v1": rng.integers(1, 6, n, dtype=np.int32),
            "v2": rng.integers(1, 6, n, dtype=np.int32),
            "v3": np.round(rng.uniform(0, 100, n), 4),
        }
    )
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, row_group_size=1_000_000)
    if csv:
        with atomic_path(csv_path) as tmp:
            pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="none"))
    return path


# --------------------------------------------------------------------------- loading


def _load(engine: str, path: str, keys: str, threads: int | None) -> Any:
    if engine == "pandas":
        import pandas as pd

        x = pd.read_parquet(path)
        if keys == "category":
            x = x.astype(dict.fromkeys(_STRING_KEYS, "category"))
        return x
    if engine == "polars":
        import polars as pl

        x = pl.read_parquet(path)
        if keys == "category":
            x = x.with_columns(pl.col(_STRING_KEYS).cast(pl.Categorical))
        return x
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect(config={} if threads is None else {"threads": threads})
        con.sql(f"CREATE TABLE x AS SELECT * FROM read_parquet('{path}')")
        return con
    if engine == "dask":
        import dask.dataframe as dd

        with quiet_dask():
            x = dd.read_parquet(path)
            if keys == "category":
                x = x.astype(dict.fromkeys(_STRING_KEYS, "category"))
            return x.persist()
    raise InputError(
        f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}", parameter="engine"
    )


def _answer(engine: str, x: Any, question: str) -> float:
    """Answer one question; return a check value (the sum of the first aggregate)."""
    _, by, aggs = QUESTIONS[question]
    first = next(iter(aggs))
    if engine == "pandas":
        ans = x.groupby(by, as_index=False, sort=False, observed=True, dropna=False).agg(aggs)
        return float(ans[first].sum())
    if engine == "polars":
        import polars as pl

        exprs = [getattr(pl.col(col), fn)() for col, fn in aggs.items()]
        ans = x.lazy().group_by(by).agg(exprs).collect()
        return float(ans[first].sum())
    if engine == "duckdb":
        sql_fn = {"sum": "sum", "mean": "avg"}
        select = ", ".join(f"{sql_fn[fn]}({col}) AS {col}" for col, fn in aggs.items())
        keys = ", ".join(by)
        ans = x.sql(f"SELECT {keys}, {select} FROM x GROUP BY {keys}").to_arrow_table()
        return float(ans.column(first).to_numpy().sum())
    if engine == "dask":
        ans = x.groupby(by, dropna=False, observed=True).agg(aggs).compute()
        return float(ans[first].sum())
    raise InputError(f"unknown engine {engine!r}")


def timed_questions(
    engine: str,
    path: str,
    *,
    questions: tuple[str, ...] | list[str] = tuple(QUESTIONS),
    keys: str = "string",
    threads: int | None = None,
    repeat: int = MIN_REPEAT,
) -> list[dict[str, Any]]:
    """Load the table once, then time each question ``repeat`` times, keeping every time.

    Meant to run in a child process (see :mod:`mlstack.benchmarks.child_process`), like the
    benchmark, which loads once and runs each question twice.

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
    path : str
        The Parquet file from :func:`generate`.
    questions : sequence of str, default=all of :data:`QUESTIONS`
    keys : {"string", "category"}, default="string"
        Key dtype of ``id1``-``id3``: strings as stored, or converted to
        categoricals after loading (as the benchmark's pandas script does).
    threads : int, optional
        Threads for DuckDB and Dask (Polars reads ``POLARS_MAX_THREADS``).
    repeat : int, default=5
        Runs per question.

    Returns
    -------
    list of dict
        One record for ``load`` and one per question, each with
        the timing (``repeat``, ``times``, ``median``, ``best``, ``worst``),
        ``peak_rss_mb_so_far`` and, for the questions, ``check`` (sum of the
        first aggregate, equal across engines).
    """
    unknown = [q for q in questions if q not in QUESTIONS]
    if unknown:
        raise InputError(
            f"unknown questions {unknown}; choose from {', '.join(QUESTIONS)}",
            parameter="questions",
        )
    if keys not in ("string", "category"):
        raise InputError(f"keys must be 'string' or 'category', got {keys!r}", parameter="keys")
    if threads is not None and engine == "dask":
        import dask

        dask.config.set(scheduler="threads", num_workers=threads)
    import_engine(engine)
    loaded: list[Any] = []
    timing = time_repeats(
        lambda: loaded.append(_load(engine, path, keys, threads)),
        repeat=repeat,
        before=loaded.clear,  # drop the previous copy before loading the next
    )
    x = loaded[-1]
    records = [{"task": "load", **timing.as_record(), "peak_rss_mb_so_far": _peak_so_far()}]
    for question in questions:
        checks: list[float] = []
        timing = time_repeats(
            lambda q=question, c=checks: c.append(_answer(engine, x, q)), repeat=repeat
        )
        records.append(
            {
                "task": question,
                "question": QUESTIONS[question][0],
                **timing.as_record(),
                "check": checks[-1],
                "peak_rss_mb_so_far": _peak_so_far(),
            }
        )
    return records


def _read_csv(engine: str, path: str, variant: str) -> int:
    """Read the whole CSV into memory; return its rows."""
    if engine == "pandas":
        import pandas as pd

        return len(pd.read_csv(path, engine="pyarrow" if variant == "pyarrow" else "c"))
    if engine == "polars":
        import polars as pl

        return pl.read_csv(path).height
    if engine == "duckdb":
        import duckdb

        with duckdb.connect() as con:
            return con.read_csv(path).to_arrow_table().num_rows
    if engine == "dask":
        import dask.dataframe as dd

        with quiet_dask():
            return len(dd.read_csv(path).compute())
    raise InputError(f"unknown engine {engine!r}", parameter="engine")


def timed_read_csv(
    engine: str, path: str, *, variant: str = "default", repeat: int = MIN_REPEAT
) -> list[dict[str, Any]]:
    """Time reading the group-by CSV into memory with one engine (in a child process).

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
    path : str
        The CSV written by :func:`generate` with ``csv=True``.
    variant : {"default", "pyarrow"}, default="default"
        For pandas, ``"pyarrow"`` uses ``read_csv(engine="pyarrow")`` (multi-threaded).
    repeat : int, default=5
        Reads; each frame is dropped before the next read.

    Returns
    -------
    list of dict
        One ``read_csv`` record with the timing and the rows read.
    """
    import_engine(engine)
    rows: list[int] = []
    timing = time_repeats(lambda: rows.append(_read_csv(engine, path, variant)), repeat=repeat)
    return [{"task": "read_csv", **timing.as_record(), "rows_read": rows[-1]}]
