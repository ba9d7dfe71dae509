"""Run notebook jobs in worker processes, a few at a time, and stop them all on a signal.

Each notebook gets a fresh worker process (its own environment, its stderr
sent to a log file) which starts the notebook's kernel. While jobs run, SIGINT
(Ctrl-C) and SIGTERM interrupt the parent, which then stops every worker
*and everything it started* (the kernel, and whatever the kernel started: a
Dask cluster, a benchmark's child process) within a few seconds, and reports
which jobs did not finish. Workers ignore Ctrl-C themselves, so that the
parent alone decides how a run ends.

Results are handed to a callback with both signals deferred
(:func:`deferred_signals`), so publishing a finished notebook is never cut
in half by an interruption.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = [
    "Interrupted",
    "RunOutcome",
    "deferred_signals",
    "interruptible",
    "run_in_workers",
    "stop_process_trees",
]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: Seconds a stopped process gets to exit after SIGTERM before it is killed.
GRACE_SECONDS = 3.0


class Interrupted(Exception):
    """Raised in the parent when SIGINT or SIGTERM arrives during a run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class RunOutcome:
    """What happened to a batch of jobs.

    Attributes
    ----------
    unfinished : list
        Jobs that were running or waiting when the run was interrupted.
    signum : int or None
        The signal that interrupted the run, if any.
    """

    unfinished: list[Any] = field(default_factory=list)
    signum: int | None = None


class _Deferral:
    """How many :func:`deferred_signals` blocks are open, and the signal they hold."""

    depth = 0
    pending: int | None = None


def _raise_interrupted(signum: int, frame: Any) -> None:
    if _Deferral.depth:
        _Deferral.pending = signum
        return
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Within :func:`interruptible`, hold SIGINT and SIGTERM until the block ends.

    A signal that arrives inside the block raises :class:`Interrupted` as the
    block exits, so the block's work is never cut in half.
    """
    _Deferral.depth += 1
    try:
        yield
    finally:
        _Deferral.depth -= 1
        if not _Deferral.depth and _Deferral.pending is not None:
            signum, _Deferral.pending = _Deferral.pending, None
            raise Interrupted(signum)


def _ignore(signum: int, frame: Any) -> None:
    """A Python-level no-op handler: unlike SIG_IGN, exec() resets it, so kernels get Ctrl-C."""


def _worker(connection: Connection, target: Callable[[Any], Any], job: Any) -> None:
    signal.signal(signal.SIGINT, _ignore)
    connection.send(target(job))
    connection.close()


def stop_process_trees(pids: Sequence[int], grace: float = GRACE_SECONDS) -> None:
    """Stop each process in ``pids`` and all its descendants, promptly.

    The processes are first suspended (SIGSTOP), so none can start another
    while the tree is collected; then each gets SIGTERM (and SIGCONT, so it can
    act on it), and whatever is still alive after ``grace`` seconds is killed.
    """
    import psutil

    def tree(roots: Sequence[psutil.Process]) -> list[psutil.Process]:
        found = list(roots)
        for root in roots:
            try:
                found += root.children(recursive=True)
            except psutil.NoSuchProcess:
                pass
        return found

    roots = []
    for pid in pids:
        try:
            roots.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    members: dict[int, psutil.Process] = {}
    for _ in range(2):  # a second pass catches what started while the first was suspending
        for process in tree(roots):
            if process.pid not in members:
                members[process.pid] = process
                _quietly(process.suspend)
    for process in members.values():
        _quietly(process.terminate)
        _quietly(process.resume)
    _, alive = psutil.wait_procs(list(members.values()), timeout=grace)
    for process in alive:
        _quietly(process.kill)
    psutil.wait_procs(alive, timeout=grace)


def _quietly(action: Callable[[], Any]) -> None:
    import psutil

    try:
        action()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass


def run_in_workers(
    jobs: Sequence[Any],
    n_workers: int,
    target: Callable[[Any], Any],
    on_result: Callable[[Any, Any], None],
    on_death: Callable[[Any, int | None], Any],
) -> RunOutcome:
    """Run ``target(job)`` for each job in its own process, ``n_workers`` at a time.

    Parameters
    ----------
    jobs : sequence
        Picklable jobs, started in order.
    n_workers : int
        Processes at once.
    target : callable
        An importable function of one job; its return value must be picklable.
    on_result : callable
        ``on_result(job, result)``, called in this process with SIGINT and
        SIGTERM held, as each job finishes.
    on_death : callable
        ``on_death(job, exitcode)`` returns the result to report for a worker
        that died without returning one.

    Returns
    -------
    RunOutcome
        Empty when every job finished; otherwise the unfinished jobs and the
        signal that interrupted the run. Every worker and its descendants are
        gone when this returns.
    """
    context = multiprocessing.get_context("spawn")
    pending = list(jobs)
    running: dict[Connection, tuple[Any, Any]] = {}
    finished: set[int] = set()
    try:
        with interruptible():
            while pending or running:
                while pending and len(running) < max(1, n_workers):
                    job = pending.pop(0)
                    receiver, sender = context.Pipe(duplex=False)
                    process = context.Process(target=_worker, args=(sender, target, job))
                    running[receiver] = (process, job)  # before start: a signal may come
                    process.start()
                    sender.close()
                for receiver in wait(list(running)):
                    process, job = running[receiver]
                    try:
                        result = receiver.recv()
                    except EOFError:
                        process.join()
                        result = on_death(job, process.exitcode)
                    process.join()
                    with deferred_signals():
                        on_result(job, result)
                        finished.add(id(job))
                        del running[receiver]
    except Interrupted as interruption:
        _stop(running)
        unfinished = [job for job in jobs if id(job) not in finished]
        return RunOutcome(unfinished, interruption.signum)
    except BaseException:
        _stop(running)  # whatever went wrong here, leave no kernel behind
        raise
    return RunOutcome()


def _stop(running: dict[Connection, tuple[Any, Any]]) -> None:
    started = [process for process, _ in running.values() if process.pid is not None]
    stop_process_trees([process.pid for process in started])
    for process in started:
        process.join(timeout=GRACE_SECONDS)
