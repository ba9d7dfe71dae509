"""The frames benchmark: tables, facts and report from records, and a smoke run."""

from __future__ import annotations

import json

import pytest

from mlstack.benchmarks import frames_bench as framesbench


def _record(engine, task, rows, seconds, study="pipeline", variant="", **extra):
    return {
        "engine": engine,
        "task": task,
        "rows": rows,
        "seconds": seconds,
        "peak_rss_mb": 100.0 if seconds is not None else 900.0,
        "status": "ok" if seconds is not None else "failed: out of memory",
        "study": study,
        "variant": variant,
        "threads": 1 if variant == "threads=1" else 2,
        "loadavg_1m": 1.0,
        **extra,
    }


@pytest.fixture
def records():
    out = []
    for rows, factor in ((1000, 1), (10_000, 10)):
        out += [
            _record("pandas", "pipeline", rows, 2.0 * factor),
            _record("polars", "pipeline", rows, 0.5 * factor),
            _record("duckdb", "pipeline", rows, 1.0 * factor),
            _record("dask", "pipeline", rows, 4.0 * factor),
        ]
    out.append(_record("pandas", "pipeline", 100_000, None))
    out.append(_record("polars", "pipeline", 100_000, 5.0))
    for engine, seconds in (("pandas", 1.0), ("polars", 0.25), ("duckdb", 0.5), ("dask", 2.0)):
        out.append(_record(engine, "load", 5000, 0.1, study="groupby"))
        for q in ("q1", "q2", "q3", "q4", "q5"):
            out.append(_record(engine, q, 5000, seconds, study="groupby"))
    for q in ("q1", "q2", "q3"):
        out.append(
            _record("pandas", q, 5000, 1.0, study="keys", variant="keys=string", keys="string")
        )
        out.append(
            _record("pandas", q, 5000, 0.5, study="keys", variant="keys=category", keys="category")
        )
    for threads, factor in ((1, 1.5), (2, 1.0)):
        variant = f"threads={threads}"
        out.append(
            _record("polars", "q1", 5000, 0.25 * factor * factor, study="threads", variant=variant)
        )
        out.append(
            _record("polars", "pipeline", 10_000, 5.0 * factor, study="threads", variant=variant)
        )
    out.append(_record("pandas", "read_csv", 5000, 3.0, study="csv_read", csv_mb=10.0))
    return out


def test_speedups_divide_pandas_by_the_engine(records):
    frame = framesbench.speedups(records, "pipeline", "pipeline")
    polars = frame[(frame.engine == "polars") & (frame.rows == 1000)]
    assert polars["vs_pandas"].iloc[0] == pytest.approx(4.0)
    failed = frame[(frame.engine == "polars") & (frame.rows == 100_000)]
    assert failed["vs_pandas"].isna().all()  # pandas failed there: no ratio


def test_pipeline_table_shows_failures(records):
    table = framesbench.pipeline_table(records)
    assert list(table.columns) == ["pandas", "polars", "duckdb", "dask"]
    assert table.loc["1,000", "polars"] == "0.500 s (4.0x)"
    assert table.loc["100,000", "pandas"] == "failed: out of memory"


def test_headline_facts(records):
    facts = framesbench.headline_facts(records)
    assert facts["groupby_polars"] == pytest.approx(4.0)
    assert facts["groupby_dask"] == pytest.approx(0.5)
    assert facts["pipeline_rows"] == 10_000  # the largest size every engine finished
    assert facts["pipeline_duckdb"] == pytest.approx(2.0)
    assert facts["pipeline_failed"] == ["pandas at 100,000 rows (failed: out of memory)"]
    assert facts["threads_polars"] == pytest.approx((2.25 * 1.5) ** 0.5)
    assert facts["keys_pandas"] == pytest.approx(2.0)


def test_report_renders_every_section(records):
    text = framesbench.render_report(
        records, command="mlstack bench frames", machine={"cpu_count": 2}, plot_name="p.png"
    )
    assert text.startswith("# ")
    for heading in ("## The flights feature pipeline", "## db-benchmark", "## Evidence"):
        assert heading in text
    assert "![time vs rows](p.png)" in text
    assert "failed: out of memory" in text


@pytest.mark.slow
def test_bench_frames_smoke(tmp_path):
    from mlstack.cli import main

    status = main(
        [
            "bench",
            "frames",
            "--rows",
            "2000",
            "--scales",
            "1",
            "--engines",
            "pandas,duckdb",
            "--no-studies",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    saved = json.loads((tmp_path / "timings" / "frames.json").read_text())
    records = saved["records"]
    assert {r["engine"] for r in records} == {"pandas", "duckdb"}
    assert all(r["status"] == "ok" for r in records)
    assert {"engine", "task", "rows", "seconds", "peak_rss_mb"} <= set(records[0])
    assert "--rows 2000" in saved["command"]
    assert (tmp_path / "frames_bench.md").read_text().startswith("# ")
    assert (tmp_path / "frames_bench_files" / "time_vs_rows.png").stat().st_size > 1000
