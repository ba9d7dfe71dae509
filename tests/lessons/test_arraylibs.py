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
    assert arraylibs.library_status().loc["cupy", "measurable here"].startswith("no:")


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
    table = arraylibs.dtype_benchmark(n=10_000, matmul_size=20, repeat=1)
    assert len(table) == 8
    assert set(table["dtype"]) == {"float64", "float32"}
    assert set(table["operation"]) == {"sum", "a * b + c", "sqrt(abs(a))", "matmul"}
    assert (table["seconds"] > 0).all() and (table["GB/s"] > 0).all()


def test_reduction_benchmark_agrees_across_libraries():
    values = np.random.default_rng(0).standard_normal(50_000)
    table = arraylibs.reduction_benchmark(values, repeat=1)
    assert table["library"].iloc[0] == "numpy"
    assert {"pyarrow", "polars", "duckdb", "dask"} <= set(table["library"])
    np.testing.assert_allclose(table["result"], values.sum(), rtol=1e-9)
    assert table["relative difference"].max() < 1e-9


@pytest.mark.parametrize("dtype", [np.float32, np.int64], ids=["float32", "int64"])
def test_reduction_benchmark_converts_to_float64(dtype):
    values = np.arange(1000).astype(dtype)
    table = arraylibs.reduction_benchmark(values, repeat=1)
    assert table.loc[table["library"] == "numpy", "result"].item() == 499500.0
