"""Worker processes: each job in its own process, deaths reported, whole trees stopped."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from mlstack.engine.workers import (
    Interrupted,
    deferred_signals,
    interruptible,
    run_in_workers,
    stop_process_trees,
)

pytestmark = pytest.mark.slow


def test_every_job_runs_in_a_worker_and_reports_its_result():
    results = {}
    outcome = run_in_workers(
        [3, 4, 5],
        2,
        math.factorial,
        on_result=lambda job, result: results.__setitem__(job, result),
        on_death=lambda job, code: pytest.fail(f"job {job} died"),
    )
    assert results == {3: 6, 4: 24, 5: 120}
    assert outcome.unfinished == [] and outcome.signum is None


def test_a_worker_that_dies_is_reported_with_its_exit_status():
    deaths = []
    run_in_workers(
        [3],
        1,
        os._exit,  # the worker exits with status 3 before returning anything
        on_result=lambda job, result: deaths.append(result),
        on_death=lambda job, code: ("died", job, code),
    )
    assert deaths == [("died", 3, 3)]


def test_stopping_a_tree_stops_the_grandchildren_too():
    code = "import subprocess, time; subprocess.Popen(['sleep', '120']); time.sleep(120)"
    parent = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 60
    while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
        time.sleep(0.1)
    (child,) = psutil.Process(parent.pid).children()
    stop_process_trees([parent.pid], grace=2.0)
    parent.wait(timeout=10)
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_a_signal_inside_a_deferred_block_interrupts_as_the_block_ends():
    done = []
    with pytest.raises(Interrupted) as caught, interruptible():
        with deferred_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)  # the handler runs here, and only records the signal
            done.append("published")
        done.append("after the block")
    assert done == ["published"]
    assert caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored
