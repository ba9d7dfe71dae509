"""The db-benchmark group-by generator and questions."""

from __future__ import annotations

import pandas as pd
import pytest

from mlstack.benchmarks import groupby_questions as dbbench
from mlstack.errors import InputError


@pytest.fixture(scope="module")
def table_path(tmp_path_factory):
    return dbbench.generate(2000, k=10, directory=tmp_path_factory.mktemp("g1"), csv=True)


def test_generator_shape(table_path):
    x = pd.read_parquet(table_path)
    assert list(x.columns) == ["id1", "id2", "id3", "id4", "id5", "id6", "v1", "v2", "v3"]
    assert len(x) == 2000
    assert x["id1"].nunique() == 10
    assert x["id3"].str.fullmatch(r"id\d{10}").all()
    assert x["id6"].between(1, 200).all()
    assert set(x["v1"]) <= set(range(1, 6))
    assert x["v3"].between(0, 100).all()
    assert table_path.with_suffix(".csv").exists()


def test_generator_is_cached(table_path):
    before = table_path.stat().st_mtime_ns
    assert dbbench.generate(2000, k=10, directory=table_path.parent) == table_path
    assert table_path.stat().st_mtime_ns == before


@pytest.mark.parametrize("keys", ["string", "category"], ids=["string", "category"])
def test_engines_give_the_same_answers(table_path, keys):
    checks = {}
    for engine in ("pandas", "polars", "duckdb", "dask"):
        if engine == "duckdb" and keys == "category":
            continue
        records = dbbench.timed_questions(engine, str(table_path), keys=keys, repeat=1)
        assert [r["task"] for r in records] == ["load", "q1", "q2", "q3", "q4", "q5"]
        checks[engine] = [r["check"] for r in records[1:]]
    reference = checks.pop("pandas")
    for engine, values in checks.items():
        assert values == pytest.approx(reference, rel=1e-9), engine


def test_every_question_keeps_its_repeats(table_path):
    records = dbbench.timed_questions("polars", str(table_path), questions=["q1", "q2"], repeat=3)
    assert [(r["task"], r["repeat"], len(r["times"])) for r in records] == [
        ("load", 3, 3),
        ("q1", 3, 3),
        ("q2", 3, 3),
    ]
    assert all(r["best"] <= r["median"] <= r["worst"] for r in records)


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb", "dask"])
def test_read_csv_reads_every_row(table_path, engine):
    (record,) = dbbench.timed_read_csv(engine, str(table_path.with_suffix(".csv")), repeat=2)
    assert record["rows_read"] == 2000
    assert record["repeat"] == 2 and len(record["times"]) == 2


def test_unknown_question_is_an_input_error(table_path):
    with pytest.raises(InputError, match=r"unknown questions \['q9'\]"):
        dbbench.timed_questions("pandas", str(table_path), questions=["q9"])


def test_too_few_rows(tmp_path):
    with pytest.raises(InputError, match="at least k=100 rows"):
        dbbench.generate(50, directory=tmp_path)
