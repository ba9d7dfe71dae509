import numpy as np
import pytest

from mlstack.lessons import arraylibs


def test_library_status_lists_every_library():
    status = arraylibs.library_status()
    assert list(status.columns) == ["needs", "installed", "measurable here"]
    assert {"numpy", "jax", "cupy"} <= set(status.index)
    assert status.loc["numpy", "measurable here"] == "yes"
    assert status.loc["numpy", "installed"] == np.__version__


def test_cupy_without_gpu_is_not_measurable(monkeypatch):
    monkeypatch.setattr(arraylibs, "gpu_present", lambda: False)
    status = arraylibs.library_status()
    assert status.loc["cupy", "measurable here"].startswith("no:")
    assert status.loc["jax", "measurable here"] == "yes, on the CPU only (no GPU on this machine)"


def test_missing_library_is_reported(monkeypatch):
    real_find_spec = arraylibs.importlib.util.find_spec
    monkeypatch.setattr(
        arraylibs.importlib.util,
        "find_spec",
        lambda name: None if name == "polars" else real_find_spec(name),
    )
    status = arraylibs.library_status()
    assert status.loc["polars", "installed"] == "no"
    assert status.loc["polars", "measurable here"] == "no: not installed"


def test_dtype_benchmark_rows():
    table = arraylibs.dtype_benchmark(n=10_000, matmul_size=20, repeat=3)
    assert len(table) == 8
    assert set(table["dtype"]) == {"float64", "float32"}
    assert set(table["operation"]) == {"sum", "a * b + c", "sqrt(abs(a))", "matmul"}
    assert (table["seconds"] > 0).all() and (table["GB/s"] > 0).all()
    assert all(t.repeat == 3 for t in table["timing"])
    text = arraylibs.dtype_sentence(table)
    assert "`matmul` in float32" in text and "not measured here: this machine has no GPU" in text


def test_jax_benchmark_agrees_with_numpy_and_times_compilation_apart():
    table = arraylibs.jax_benchmark(n=10_000, matmul_size=20, repeat=3)
    assert list(table.index) == ["sum", "a * b + c", "sqrt(abs(a))", "matmul"]
    assert (table["max relative difference"] < 1e-3).all()
    assert (table["compile s"] > 0).all()
    assert all(t.repeat == 3 for t in table["jax"])
    assert "not measured here (no GPU)" in arraylibs.jax_sentence(table)


def test_timing_records_keep_every_repeat():
    by_dtype = arraylibs.dtype_benchmark(n=1000, matmul_size=10, repeat=2)
    jax = arraylibs.jax_benchmark(n=1000, matmul_size=10, repeat=2)
    reduction = arraylibs.reduction_benchmark(np.ones(1000), repeat=2)
    records = arraylibs.timing_records(by_dtype=by_dtype, jax=jax, reduction=reduction)
    assert records["dtype"][0]["timing"]["repeat"] == 2
    assert len(records["jax"][0]["jax"]["times"]) == 2
    assert records["jax"][0]["compile"]["repeat"] == 1  # compiled once
    assert {r["library"] for r in records["reduction"]} >= {"numpy", "jax"}


def test_reduction_benchmark_agrees_across_libraries():
    values = np.random.default_rng(0).standard_normal(50_000)
    table = arraylibs.reduction_benchmark(values, repeat=2)
    assert table["library"].iloc[0] == "numpy"
    assert {"pyarrow", "polars", "duckdb", "dask", "jax"} <= set(table["library"])
    assert table["vs numpy"].iloc[0] is None
    assert "results agree to within" in arraylibs.reduction_sentence(table, len(values))
    np.testing.assert_allclose(table["result"], values.sum(), rtol=1e-9)
    assert table["relative difference"].max() < 1e-9


@pytest.mark.parametrize("dtype", [np.float32, np.int64], ids=["float32", "int64"])
def test_reduction_benchmark_converts_to_float64(dtype):
    values = np.arange(1000).astype(dtype)
    table = arraylibs.reduction_benchmark(values, repeat=1)
    assert table.loc[table["library"] == "numpy", "result"].item() == 499500.0
