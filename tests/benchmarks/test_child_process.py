"""Child-process measurements: time, peak memory and honest failures."""

from __future__ import annotations

import pytest

from mlstack.benchmarks.child_process import is_out_of_memory, run_in_child


def test_ok_child_reports_records_and_peak_memory():
    result = run_in_child("mlstack.benchmarks.child_process:_sleep", {"seconds": 0.01})
    assert result.ok
    assert result.records[0]["task"] == "sleep"
    assert result.records[0]["seconds"] >= 0.01
    assert result.peak_rss_mb > 5
    assert result.wall_seconds >= result.records[0]["seconds"]


@pytest.mark.slow
def test_memory_cap_fails_the_measurement_not_the_machine():
    result = run_in_child(
        "mlstack.benchmarks.child_process:_allocate", {"gib": 1.0}, mem_limit_gb=0.5
    )
    assert result.status == "failed: out of memory"
    assert result.records == []


def test_timeout_is_recorded():
    result = run_in_child("mlstack.benchmarks.child_process:_sleep", {"seconds": 30}, timeout=0.5)
    assert result.status.startswith("failed: timeout after")


def test_error_is_one_line():
    result = run_in_child("mlstack.benchmarks.child_process:_no_such_function")
    assert result.status.startswith("failed: AttributeError")
    assert "\n" not in result.status


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("numpy._core._exceptions._ArrayMemoryError: Unable to allocate 3 GiB", True),
        ("memory allocation of 1048576 bytes failed", True),
        ("_duckdb.OutOfMemoryException: Out of Memory Error: failed to allocate", True),
        ("MemoryError", True),
        ("KeyError: 'id'", False),
    ],
    ids=["numpy", "rust", "duckdb", "python", "other"],
)
def test_is_out_of_memory(message, expected):
    assert is_out_of_memory(message) is expected


@pytest.mark.slow
def test_watchdog_catches_resident_memory_below_the_backstop():
    # the address-space backstop (6 * 0.3 + 2 GiB) lets the allocation through;
    # the resident-memory watchdog stops it
    result = run_in_child(
        "mlstack.benchmarks.child_process:_allocate", {"gib": 1.2}, mem_limit_gb=0.3, mapped_gb=2.0
    )
    assert result.status == "failed: out of memory"
    assert result.peak_rss_mb < 1.2 * 1024


@pytest.mark.parametrize(
    ("status", "detail", "peak", "expected"),
    [
        ("failed: out of memory", "OSError: Cannot allocate memory", 7000.0, True),
        (
            "failed: out of memory",
            "stopped by the watchdog: allocated memory above 10 GiB",
            10300.0,
            False,
        ),
        ("failed: out of memory", "MemoryError", 10000.0, False),
        ("failed: timeout after 5 s", "", 100.0, False),
    ],
    ids=["below-cap", "watchdog", "at-cap", "timeout"],
)
def test_only_failures_below_the_cap_are_retried(status, detail, peak, expected):
    from mlstack.benchmarks.child_process import ChildResult, _below_the_cap

    assert _below_the_cap(ChildResult(status, [], peak, 1.0, detail), 10.0) is expected
