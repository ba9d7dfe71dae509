"""``mlstack bench``: the handlers parse arguments and call one library function."""

from __future__ import annotations

import pytest

from mlstack import cli


def _capture(monkeypatch, module, name):
    calls = []
    monkeypatch.setattr(module, name, lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_bench_frames_passes_its_arguments(monkeypatch, tmp_path):
    from mlstack.benchmarks import frames_bench as framesbench

    calls = _capture(monkeypatch, framesbench, "run_frames_bench")
    argv = ["bench", "frames", "--rows", "5000", "--scales", "1,3", "--engines", "pandas,polars"]
    assert cli.main([*argv, "--no-studies", "--mem-gb", "4", "--out", str(tmp_path)]) == 0
    (args, kwargs) = calls[0]
    assert args == (5000,)
    assert kwargs["scales"] == [1, 3]
    assert kwargs["engines"] == ["pandas", "polars"]
    assert kwargs["studies"] is False
    assert kwargs["groupby"] is True and kwargs["update"] is False
    assert kwargs["repeat"] == 5
    assert kwargs["mem_limit_gb"] == 4.0
    assert kwargs["out"] == tmp_path
    assert kwargs["command"].startswith("mlstack bench frames --rows 5000")


def test_bench_csv_passes_its_arguments(monkeypatch):
    from mlstack.benchmarks import csv_bench as csvbench

    calls = _capture(monkeypatch, csvbench, "run_csv_bench")
    assert cli.main(["bench", "csv", "--size-gb", "10", "--keep-data", "--repeat", "7"]) == 0
    (args, kwargs) = calls[0]
    assert args == (10.0,)
    assert kwargs["repeat"] == 7
    assert "engines" not in kwargs  # the library's default: every engine of ENGINES
    assert kwargs["keep_data"] is True
    assert kwargs["parquet"] is True
    assert kwargs["command"] == "mlstack bench csv --size-gb 10 --keep-data --repeat 7"


def test_bad_scales_are_rejected(capsys):
    with pytest.raises(SystemExit):
        cli.main(["bench", "frames", "--scales", "1,x"])
    assert "comma-separated integers" in capsys.readouterr().err


def test_input_errors_become_one_line(capsys):
    assert cli.main(["bench", "frames", "--engines", "spark", "--rows", "5000"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: unknown engines ['spark']; choose from pandas, polars, duckdb, dask"
    )
