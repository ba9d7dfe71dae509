"""Every raw timing record under reports/timings/ carries ``repeat`` and its list of ``times``.

A duration is evidence only with the repeats behind it (or the honest statement that
it ran once: ``repeat`` 1), so a record that holds seconds in any other shape, or
whose ``times`` do not match its ``repeat``, fails here with its file and place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from mlstack.utils.paths import repo_root

TIMINGS = sorted((repo_root() / "reports" / "timings").glob("*.json"))

#: Keys that hold a duration: ``seconds``, ``wall_s``, ``compile s``, ``wall_seconds``...
DURATION = re.compile(r"(^seconds$|_s$| s$|_seconds$)")


def timing_problems(node: Any, where: str = "") -> Iterator[str]:
    """Say where a dict holds a duration or times without a matching ``repeat`` and ``times``.

    A dict with ``times``, ``repeat`` or a duration key must carry both, with as many
    times as repeats; ``repeat`` 0 (no times) only in a record whose ``status`` says it
    failed. Other keys of the same dict (a budget, the process's whole lifetime) are facts
    about those repeats.
    """
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from timing_problems(item, f"{where}[{i}]")
        return
    if not isinstance(node, dict):
        return
    durations = sorted(k for k in node if DURATION.search(k))
    if durations or "times" in node or "repeat" in node:
        times, repeat = node.get("times"), node.get("repeat")
        if not isinstance(times, list) or not isinstance(repeat, int):
            yield f"{where or '/'}: {durations or 'a timing'} without `repeat` and `times`"
        elif len(times) != repeat:
            yield f"{where or '/'}: {len(times)} times for repeat={repeat}"
        elif repeat == 0 and node.get("status", "ok") == "ok":
            yield f"{where or '/'}: no times, and its status does not say it failed"
    for key, value in node.items():
        if key != "machine":
            yield from timing_problems(value, f"{where}.{key}")


@pytest.mark.parametrize("path", TIMINGS, ids=[p.name for p in TIMINGS])
def test_every_timing_record_carries_repeat_and_times(path):
    problems = list(timing_problems(json.loads(path.read_text(encoding="utf-8"))))
    assert problems == [], f"{path.name}: " + "; ".join(problems[:5])


def test_the_timings_folder_is_not_empty():
    assert len(TIMINGS) >= 10


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"step": "fit", "seconds": 3.0}, "['seconds'] without `repeat` and `times`"),
        ({"all_wall_s": [1.0, 1.1], "repeat": 2}, "['all_wall_s'] without `repeat` and `times`"),
        ({"repeat": 3, "times": [1.0, 1.1]}, "2 times for repeat=3"),
        ({"repeat": 0, "times": []}, "no times, and its status does not say it failed"),
        ({"jax": {"times": [0.1]}}, ".records[0].jax: a timing without `repeat` and `times`"),
    ],
)
def test_a_record_in_another_shape_is_named(record, problem):
    problems = list(timing_problems({"records": [record]}))
    assert len(problems) == 1 and problem in problems[0]


def test_a_failed_record_and_a_one_run_timing_pass():
    records = [
        {"status": "failed: out of memory", "repeat": 0, "times": []},
        {"step": "search", "repeat": 1, "times": [12.5], "budget_s": 30.0},
    ]
    assert list(timing_problems({"records": records})) == []
