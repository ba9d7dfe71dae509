import json

import pytest

from mlstack.utils.atomic import atomic_directory, atomic_path, write_json


def test_write_json_is_sorted_and_ends_with_newline(tmp_path):
    path = write_json(tmp_path / "a" / "out.json", {"b": 1, "a": [2]})
    text = path.read_text()
    assert text.endswith("\n") and text.index('"a"') < text.index('"b"')
    assert json.loads(text) == {"a": [2], "b": 1}


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_directory_is_replaced_whole_or_not_at_all(tmp_path):
    target = tmp_path / "figs"
    target.mkdir()
    (target / "old.png").write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_directory(target) as staging:
        (staging / "new.png").write_bytes(b"new")
        raise RuntimeError("boom")
    assert sorted(p.name for p in target.iterdir()) == ["old.png"]
    with atomic_directory(target) as staging:
        (staging / "new.png").write_bytes(b"new")
    assert sorted(p.name for p in target.iterdir()) == ["new.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]
