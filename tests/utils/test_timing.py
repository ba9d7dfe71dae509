import json

import pytest

from mlstack.errors import InputError
from mlstack.utils.timing import Timing, speedup, time_call, write_timings


def test_time_call_repeats_and_keeps_every_time():
    timing = time_call(lambda: sum(range(1000)), repeat=5, number=3)
    record = timing.as_record()
    assert record["repeat"] == 5 and len(record["times"]) == 5
    assert record["best"] <= record["median"] <= record["worst"]


def test_speedup_range_and_noise():
    fast = speedup([2.0, 2.2, 2.1, 2.0, 2.3], [1.0, 1.1, 1.0, 1.05, 1.1])
    assert fast.distinguishable
    assert fast.low == pytest.approx(2.0 / 1.1) and fast.high == pytest.approx(2.3 / 1.0)
    noise = speedup(Timing((1.0, 1.2, 1.1)), Timing((1.1, 1.0, 1.15)))
    assert not noise.distinguishable
    assert "within noise" in str(noise)


def test_time_call_rejects_zero_repeats():
    with pytest.raises(InputError, match="repeat=0"):
        time_call(lambda: None, repeat=0)


def test_write_timings_records_the_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("MLSTACK_REPORTS_DIR", str(tmp_path))
    write_timings("x", [time_call(lambda: None).as_record()])
    data = json.loads((tmp_path / "timings" / "x.json").read_text())
    assert data["machine"]["cpu_count"] >= 1
    assert data["records"][0]["repeat"] == 5
