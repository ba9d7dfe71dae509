"""Measure one piece of work in a child process: wall time, peak memory, honest failures.

Each engine of a benchmark runs in a fresh Python process so that its peak
memory is its own (not the high-water mark left by the engine before it) and
so that running out of memory fails that measurement, never the machine. The
child runs under a memory cap with two parts:

- a watchdog in the parent that kills the child as soon as the memory it has
  allocated (anonymous resident pages, polled every 50 ms) passes the cap;
- an address-space limit (``RLIMIT_AS``, set in the child before it starts)
  as a backstop, so that a runaway allocation fails inside the child
  (``MemoryError`` in numpy and pandas, an allocation error in Polars, DuckDB
  or Arrow) even between two polls.

Why not ``RLIMIT_AS`` alone, at the cap? Address space is not memory. Polars
memory-maps the file it scans and DuckDB and the allocators reserve address
space they never touch: under a 1 GiB address-space limit, Polars and DuckDB
failed to aggregate a 1.4 GB CSV while their resident memory was about
250 MiB. Polars' allocator also keeps the address space it has released
for reuse, so its address space grows run after run: the 100x flights
pipeline, run five times in one process, failed under a backstop of twice
the cap while its resident memory stayed below 7.4 GiB (``make bench-frames``
before this factor was raised). The backstop is therefore
:data:`ADDRESS_SPACE_FACTOR` times the cap plus the size of the input files
the child maps (``mapped_gb``), and the cap proper is on resident memory.

The child's peak resident set size is the kernel's high-water mark of the
child's own address space (``VmHWM`` in ``/proc/<pid>/status``, read by the
child at the end and polled by the parent, which keeps the last value for a
child it had to stop). It counts everything the process touched, including
memory of native libraries and file pages it mapped and read. It is *not*
``ru_maxrss`` from ``wait4``: Linux carries the parent's high-water mark over
``fork`` and ``exec``, so a child of a 1 GiB process reports at least 1 GiB
there even if it never uses more than 20 MiB. A failure is recorded as ``"failed: out
of memory"``, ``"failed: timeout"`` or ``"failed: <error>"``, never hidden.

The work is named as ``"module:function"``; the function takes keyword
arguments (JSON-serializable) and returns a list of dicts, each one measured
task with at least ``task`` and ``seconds`` (timed inside the child, so
interpreter start-up and imports are excluded).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ADDRESS_SPACE_FACTOR",
    "ChildResult",
    "is_out_of_memory",
    "process_peak_mb",
    "run_in_child",
    "run_measured",
]

#: The child's address-space limit, in multiples of the memory cap (plus the
#: files it maps): a backstop for a runaway allocation, well above what the
#: engines reserve without using (see the module docstring).
ADDRESS_SPACE_FACTOR = 6

# Messages with which the engines report a failed allocation.
_OOM_MARKERS = (
    "memoryerror",
    "unable to allocate",
    "out of memory",
    "outofmemory",
    "memory allocation of",
    "std::bad_alloc",
    "cannot allocate memory",
    "failed to allocate",
    "allocation failed",
    "arrowmemoryerror",
)


@dataclass
class ChildResult:
    """Outcome of one child process.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"failed: out of memory"``, ``"failed: timeout"`` or
        ``"failed: <one line>"``.
    records : list of dict
        What the child's function returned (empty when it failed).
    peak_rss_mb : float
        Peak resident memory of the child, in MiB, from the kernel.
    wall_seconds : float
        Wall time of the whole child, start-up included.
    detail : str
        For a failure, what happened: the error's last line, or the resident
        memory at which the watchdog stopped the child.
    """

    status: str
    records: list[dict[str, Any]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    wall_seconds: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the child finished its work."""
        return self.status == "ok"


def is_out_of_memory(text: str) -> bool:
    """Return True when an error message says an allocation failed.

    Examples
    --------
    >>> is_out_of_memory("numpy._core._exceptions._ArrayMemoryError: Unable to allocate 2.8 GiB")
    True
    >>> is_out_of_memory("KeyError: 'id'")
    False
    """
    low = text.lower()
    return any(marker in low for marker in _OOM_MARKERS)


def _limit_address_space(limit_bytes: int) -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def process_peak_mb(pid: int | str = "self") -> float | None:
    """Return a process's peak resident memory since its last exec (``VmHWM``), in MiB.

    None when it cannot be read (not Linux, or the process has exited).

    Examples
    --------
    >>> process_peak_mb() > 1
    True
    """
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _anonymous_rss_bytes(pid: int) -> int:
    """Resident memory the process allocated (not file pages it maps, which are reclaimable)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_in_child(
    func: str,
    kwargs: dict[str, Any] | None = None,
    *,
    env: dict[str, str] | None = None,
    mem_limit_gb: float | None = None,
    mapped_gb: float = 0.0,
    timeout: float | None = None,
    poll_seconds: float = 0.05,
) -> ChildResult:
    """Run ``func(**kwargs)`` in a fresh Python process and measure it.

    Parameters
    ----------
    func : str
        ``"package.module:function"``; the function returns a list of dicts.
    kwargs : dict, optional
        Keyword arguments, JSON-serializable.
    env : dict, optional
        Extra environment variables for the child (thread counts, say).
    mem_limit_gb : float, optional
        Memory cap in GiB: the allocated resident memory at which the parent
        kills the child. The child's address space is limited to
        ``ADDRESS_SPACE_FACTOR * mem_limit_gb + mapped_gb`` GiB. No cap when None.
    mapped_gb : float, default=0.0
        Size of the files the child may memory-map, in GiB (added to the
        address-space backstop).
    timeout : float, optional
        Seconds after which the child is killed.
    poll_seconds : float, default=0.05
        How often the parent checks the child's memory.

    Returns
    -------
    ChildResult

    Examples
    --------
    >>> result = run_in_child("mlstack.benchmarks.child_process:_sleep", {"seconds": 0.01})
    >>> result.status, result.records[0]["task"]
    ('ok', 'sleep')
    """
    limit = None if mem_limit_gb is None else int(mem_limit_gb * 2**30)
    backstop = (
        None if limit is None else int((ADDRESS_SPACE_FACTOR * mem_limit_gb + mapped_gb) * 2**30)
    )
    with tempfile.TemporaryDirectory(prefix="mlstack-bench-") as tmp:
        spec, out, err = Path(tmp, "spec.json"), Path(tmp, "result.json"), Path(tmp, "stderr")
        spec.write_text(json.dumps({"func": func, "kwargs": kwargs or {}, "out": str(out)}))
        child_env = {**os.environ, **(env or {})}
        start = time.perf_counter()
        with open(err, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mlstack.benchmarks.child_process", str(spec)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=child_env,
                preexec_fn=None if backstop is None else (lambda: _limit_address_space(backstop)),
            )
            killed_for = ""
            polled_peak = None
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                polled_peak = process_peak_mb(proc.pid) or polled_peak
                if killed_for:
                    pass
                elif limit is not None and _anonymous_rss_bytes(proc.pid) > limit:
                    killed_for = "memory"
                    proc.send_signal(signal.SIGKILL)
                elif timeout is not None and time.perf_counter() - start > timeout:
                    killed_for = "time"
                    proc.send_signal(signal.SIGKILL)
                time.sleep(poll_seconds)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr_text = err.read_text(errors="replace")
        result = json.loads(out.read_text()) if out.exists() else {}
        # the child's own reading, else the parent's last poll, else the kernel's
        # (inflated) accounting
        peak = result.get("peak_rss_mb") or polled_peak or usage.ru_maxrss / 1024
    if proc.returncode == 0 and "records" in result and not killed_for:
        return ChildResult("ok", result["records"], peak, wall)
    lines = (result.get("error") or stderr_text).strip().splitlines()
    detail = lines[-1] if lines else f"exit status {proc.returncode}"
    if killed_for == "memory":
        state = "failed: out of memory"
        detail = f"stopped by the watchdog: allocated memory above {mem_limit_gb:g} GiB"
    elif killed_for == "time":
        state = f"failed: timeout after {timeout:.0f} s"
    elif is_out_of_memory(result.get("error", "") + stderr_text):
        state = "failed: out of memory"
    else:
        state = f"failed: {detail}"
    return ChildResult(state, [], peak, wall, detail[:300])


def run_measured(
    func: str, kwargs: dict[str, Any] | None = None, *, isolate: bool = True, **limits: Any
) -> ChildResult:
    """Run ``func(**kwargs)`` in a child process (``isolate=True``) or in this one.

    In-process runs skip the start-up cost of a fresh interpreter, for smoke
    runs where the figures do not matter; they have no memory cap, and their
    ``peak_rss_mb`` is this process's peak so far, not the engine's.

    Parameters
    ----------
    func, kwargs
        As in :func:`run_in_child`.
    isolate : bool, default=True
        In a child process. There, a failure for memory while the child's peak
        stayed below 90% of the cap (the machine was short of memory, not the
        engine over its cap) is retried once; the retry's ``detail`` says so.
    **limits
        ``env``, ``mem_limit_gb``, ``mapped_gb``, ``timeout``: passed to
        :func:`run_in_child`; ignored in-process.
    """
    if isolate:
        result = run_in_child(func, kwargs, **limits)
        if _below_the_cap(result, limits.get("mem_limit_gb")):
            # The machine is shared: an allocation can fail because other work holds the
            # memory at that moment. Such a failure is retried once, and said so.
            retry = run_in_child(func, kwargs, **limits)
            retry.detail = (retry.detail + "; " if retry.detail else "") + (
                f"second attempt; the first failed below the cap: {result.detail}"
            )[:300]
            return retry
        return result
    module, _, name = func.partition(":")
    start = time.perf_counter()
    try:
        records = getattr(importlib.import_module(module), name)(**(kwargs or {}))
    except Exception as exc:
        line = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        status = "failed: out of memory" if is_out_of_memory(line) else f"failed: {line}"
        return ChildResult(status, [], _own_peak_mb(), time.perf_counter() - start, line[:300])
    return ChildResult("ok", records, _own_peak_mb(), time.perf_counter() - start)


def _below_the_cap(result: ChildResult, mem_limit_gb: float | None) -> bool:
    """True for an out-of-memory failure that the cap did not cause (worth one retry)."""
    return (
        result.status == "failed: out of memory"
        and "watchdog" not in result.detail
        and mem_limit_gb is not None
        and result.peak_rss_mb < 0.9 * mem_limit_gb * 1024
    )


def _own_peak_mb() -> float:
    return process_peak_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sleep(seconds: float) -> list[dict[str, Any]]:
    """A trivial task for tests and examples."""
    start = time.perf_counter()
    time.sleep(seconds)
    return [{"task": "sleep", "seconds": time.perf_counter() - start}]


def _allocate(gib: float) -> list[dict[str, Any]]:
    """Allocate and touch ``gib`` GiB (to test the memory cap)."""
    import numpy as np

    start = time.perf_counter()
    block = np.ones(int(gib * 2**30) // 8)
    return [{"task": "allocate", "seconds": time.perf_counter() - start, "sum": float(block[0])}]


def _child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    out = Path(spec["out"])
    try:
        module, _, name = spec["func"].partition(":")
        records = getattr(importlib.import_module(module), name)(**spec["kwargs"])
        payload: dict[str, Any] = {"records": records}
        status = 0
    except BaseException as exc:  # report everything, MemoryError included
        lines = traceback.format_exception_only(type(exc), exc)
        payload = {"error": "".join(lines).strip(), "traceback": traceback.format_exc()}
        status = 1
    payload["peak_rss_mb"] = process_peak_mb()
    out.write_text(json.dumps(payload, default=str))
    return status


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1]))
