import json

import pytest

from mlstack.errors import InputError
from mlstack.utils.timing import (
    Ratio,
    Timing,
    TimingLog,
    speedup,
    speedup_phrase,
    time_call,
    time_repeats,
    write_timings,
)


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


def test_time_repeats_runs_the_setup_before_each_repeat():
    calls = []
    timing = time_repeats(
        lambda: calls.append("work"), repeat=3, before=lambda: calls.append("setup")
    )
    assert timing.repeat == 3
    assert calls == ["setup", "work"] * 3


def test_timing_round_trips_through_its_record():
    timing = Timing((0.3, 0.1, 0.2))
    assert Timing.from_record(timing.as_record()) == timing
    with pytest.raises(InputError, match="holds no times"):
        Timing.from_record({"repeat": 0, "times": []})


def test_timing_log_keeps_facts_and_times():
    log = TimingLog(repeat=3)
    log.time(lambda: None, experiment="a", method="x")
    log.add(Timing((1.0, 2.0)), experiment="a", method="y")
    assert [r["method"] for r in log.records] == ["x", "y"]
    assert log.records[0]["repeat"] == 3 and log.records[1]["times"] == [1.0, 2.0]
    assert log.get(method="y").median == 1.5
    with pytest.raises(InputError, match="2 timings match"):
        log.get(experiment="a")


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Ratio(2.0, 1.5, 2.5, True), "A was 2.0x (1.5-2.5x) faster than B"),
        (Ratio(0.5, 0.4, 0.6, True), "A was 2.0x (1.7-2.5x) slower than B"),
        (
            Ratio(1.0, 0.8, 1.2, False),
            "A and B were indistinguishable: 1.0x (0.80-1.2x, within noise)",
        ),
        (Ratio(359.0, 300.0, 420.0, True), "A was 359x (300-420x) faster than B"),
    ],
    ids=["faster", "slower", "noise", "large"],
)
def test_speedup_phrase(ratio, expected):
    assert speedup_phrase("A", ratio, "B") == expected
