"""Tables, ratios with their ranges, facts and the report, from fixture records."""

from __future__ import annotations

import pytest

from mlstack.benchmarks import frames_report as report
from mlstack.utils.timing import Ratio


def _record(engine, task, rows, seconds, study="pipeline", variant="", spread=0.05, **extra):
    """A record of five repeats around ``seconds`` (None: a failed run)."""
    times = [] if seconds is None else [seconds * (1 + spread * k) for k in (-1, -0.5, 0, 0.5, 1)]
    return {
        "engine": engine,
        "task": task,
        "rows": rows,
        "repeat": len(times),
        "times": times,
        "median": seconds,
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
            _record("dask", "pipeline", rows, 2.05 * factor),  # within noise of pandas
        ]
    out.append(_record("pandas", "pipeline", 100_000, None))
    out.append(_record("polars", "pipeline", 100_000, 5.0, same_as="polars"))
    out.append(_record("duckdb", "pipeline", 100_000, 9.0, same_as="polars", same_result=True))
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
        out.append(_record("polars", "q1", 5000, 0.25 * factor, study="threads", variant=variant))
        out.append(
            _record("polars", "pipeline", 10_000, 5.0 * factor, study="threads", variant=variant)
        )
    out.append(_record("pandas", "read_csv", 5000, 3.0, study="csv_read", csv_mb=10.0))
    return out


def test_speedups_are_ratios_of_medians_with_ranges(records):
    frame = report.speedups(records, "pipeline", "pipeline")
    polars = frame[(frame.engine == "polars") & (frame.rows == 1000)]["ratio"].iloc[0]
    assert polars.median == pytest.approx(4.0)
    assert polars.low == pytest.approx(2.0 * 0.95 / (0.5 * 1.05))
    assert polars.distinguishable
    dask = frame[(frame.engine == "dask") & (frame.rows == 1000)]["ratio"].iloc[0]
    assert not dask.distinguishable  # the two sets of times overlap
    failed = frame[(frame.engine == "polars") & (frame.rows == 100_000)]
    assert failed["ratio"].iloc[0] is None  # pandas failed there: no ratio


@pytest.mark.parametrize(
    ("value", "cell", "expected"),
    [
        ("seconds", ("1,000", "polars"), "0.500 s (0.475-0.525)"),
        ("seconds", ("100,000", "pandas"), "failed: out of memory"),
        ("ratio", ("1,000", "polars"), "4.0x (3.6-4.4x)"),
        ("ratio", ("1,000", "dask"), "0.98x (0.88-1.1x, within noise)"),
        ("memory", ("100,000", "pandas"), "900 (failed)"),
    ],
    ids=["seconds", "failure", "ratio", "within-noise", "memory"],
)
def test_pipeline_table_cells(records, value, cell, expected):
    table = report.pipeline_table(records, value=value)
    assert list(table.columns) == ["pandas", "polars", "duckdb", "dask"]
    assert table.loc[cell] == expected


def test_groupby_table_spells_the_ratio_and_the_geomean(records):
    table = report.groupby_table(records)
    assert table.loc["polars", "q1"] == "0.250 s, 4.0x (3.6-4.4x)"
    assert table.loc["pandas", "q1"] == "1.000 s"
    assert table.loc["polars", "geomean x pandas"] == "4.0x (3.6-4.4x)"


def test_geomean_ratio_is_distinguishable_only_off_one():
    mixed = report.geomean_ratio([Ratio(1.5, 0.9, 2.0, False), Ratio(1.2, 1.1, 1.3, True)])
    assert mixed.median == pytest.approx((1.5 * 1.2) ** 0.5)
    assert not mixed.distinguishable
    assert report.geomean_ratio([]) is None


def test_headline_facts(records):
    facts = report.headline_facts(records)
    assert facts["groupby"]["polars"].median == pytest.approx(4.0)
    assert facts["groupby"]["dask"].median == pytest.approx(0.5)
    assert facts["pipeline_rows"] == 10_000  # the largest size every engine finished
    assert facts["pipeline_max_rows"] == 100_000
    at_top = facts["pipeline"][100_000]
    assert [e for e, o in at_top.items() if o["finished"]] == ["polars", "duckdb"]
    assert at_top["duckdb"]["same_result"] is True
    assert facts["threads"]["polars"].median == pytest.approx(1.5)
    assert facts["keys"]["pandas"].median == pytest.approx(2.0)


def test_report_renders_every_section(records):
    text = report.render_report(
        records, command="mlstack bench frames", machine={"cpu_count": 2}, plot_name="p.png"
    )
    assert text.startswith("# ")
    for heading in ("## The flights feature pipeline", "## db-benchmark", "## Evidence"):
        assert heading in text
    assert "![time vs rows](p.png)" in text
    assert "within noise" in text
    assert "At 100,000 rows under the 10 GiB cap**, polars and duckdb finished" in text
    # where pandas failed, the finishers are compared with each other, results included
    assert "Speed-up over polars there: duckdb 0.56x (0.50-0.61x). Same result as polars" in text
    assert "9-12x" not in text  # no published figure without its source


def test_report_quotes_each_command_of_an_updated_run(records):
    command = report.THEN.join(["mlstack bench frames", "mlstack bench frames --update"])
    text = report.render_report(records, command=command, machine={}, plot_name="p.png")
    assert "Commands: `mlstack bench frames`, then `mlstack bench frames --update`" in text


def test_threads_note_follows_the_measurement(records):
    text = report.explain(records, {"cpu_count": 2})
    assert "the extra cores made polars faster" in text
    slower = [
        dict(r, times=[t * 3 for t in r["times"]]) if r.get("variant") == "threads=2" else r
        for r in records
    ]
    assert "they made polars slower" in report.explain(slower, {"cpu_count": 2})


def test_seconds_text_and_timing_of():
    record = {"times": [1.5, 1.52, 1.6]}
    assert report.timing_of(record).repeat == 3
    assert report.seconds_text(record) == "1.52 s (1.50-1.60)"
    assert report.seconds_text({"times": [12.0, 11.0]}) == "11.5 s (11.0-12.0)"


def test_lines_of_code_counts_every_engine_and_step():
    table = report.lines_of_code()
    assert list(table.index) == ["pandas", "polars", "duckdb", "dask"]
    assert (table > 0).all().all()
    # Dask's window runs pandas' window step on each partition
    assert table.loc["dask", "window"] > table.loc["pandas", "window"]


def test_committed_results_skip_single_shot_files(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("MLSTACK_ROOT", str(tmp_path))
    (tmp_path / "reports" / "timings").mkdir(parents=True)
    path = tmp_path / "reports" / "timings" / "frames.json"
    path.write_text(json.dumps({"records": [{"engine": "pandas", "seconds": 1.0}]}))
    assert report.committed_results("frames") is None
    path.write_text(json.dumps({"records": [{"engine": "pandas", "times": [1.0]}]}))
    assert report.committed_results("frames")["records"][0]["times"] == [1.0]


def test_noise_note_follows_the_load_recorded_with_the_runs(records):
    assert "no run waited for a core" in report.explain(records, {"cpu_count": 2})
    busy = [dict(r, loadavg_1m=3.5) for r in records]
    assert "include waiting for a core" in report.explain(busy, {"cpu_count": 2})
