"""Run joblib work (searches, cross-validation) on a Dask cluster.

scikit-learn parallelizes searches and cross-validation with joblib, so the
same code runs on one laptop or on a cluster by switching joblib's backend.
:func:`dask_backend` is that switch as a context manager:

- ``scheduler_address=""`` starts an embedded :class:`distributed.LocalCluster`
  (a real scheduler and workers on this machine) and stops it on exit;
- ``scheduler_address="tcp://host:8786"`` connects to an existing scheduler
  (started with ``dask scheduler`` and ``dask worker tcp://host:8786``) and
  leaves it running on exit;
- ``scheduler_address=None`` uses no Dask at all: plain joblib (loky processes).

Inside the block, every estimator or search whose ``n_jobs`` is not 1 sends its
fits to the cluster's workers. See ``runbooks/run-a-search-on-a-dask-cluster.md``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from mlstack.errors import InputError

__all__ = ["ClusterInfo", "dask_backend"]


@dataclass(frozen=True)
class ClusterInfo:
    """What the search runs on, in words fit for a report (no addresses or ports).

    Attributes
    ----------
    kind : {"embedded", "external", "none"}
        An embedded ``LocalCluster``, an existing scheduler, or plain joblib.
    n_workers : int
        Dask workers connected when the block started (0 without Dask).
    n_threads : int
        Worker threads in total (0 without Dask).
    """

    kind: str
    n_workers: int
    n_threads: int

    def describe(self) -> str:
        """Return one sentence: where the joblib work runs."""
        if self.kind == "none":
            return "plain joblib on this machine (no Dask)"
        where = "an embedded LocalCluster" if self.kind == "embedded" else "an external cluster"
        return f"Dask on {where}: {self.n_workers} workers, {self.n_threads} threads in total"


@contextlib.contextmanager
def dask_backend(
    scheduler_address: str | None = "",
    *,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    processes: bool = False,
    timeout_s: float = 30.0,
) -> Iterator[ClusterInfo]:
    """Route joblib (and so scikit-learn's ``n_jobs``) to a Dask cluster inside the block.

    Parameters
    ----------
    scheduler_address : str or None, default=""
        ``""`` starts an embedded ``LocalCluster`` for the duration of the
        block; an address such as ``"tcp://10.0.0.5:8786"`` connects to a running
        scheduler; ``None`` keeps plain joblib (no Dask).
    n_workers, threads_per_worker, processes : embedded cluster only
        Shape of the embedded cluster. ``processes=False`` runs the workers as
        threads of this process: it starts in well under a second and needs no
        data transfer, which suits this 2-core machine; ``processes=True``
        gives each worker its own interpreter (no GIL sharing) at the cost of
        start-up and of shipping the data to each worker.
    timeout_s : float, default=30.0
        How long to wait for an external scheduler before giving up.

    Yields
    ------
    ClusterInfo
        What the work runs on (for the report).

    Raises
    ------
    InputError
        If the address is malformed or no scheduler answers there in time.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, n_jobs=-1)
    >>> with dask_backend("") as info:
    ...     _ = search.fit(X, y)
    >>> info.kind, info.n_workers
    ('embedded', 2)
    """
    import joblib

    if scheduler_address is None:
        yield ClusterInfo("none", 0, 0)
        return
    address = scheduler_address.strip()
    if address and "://" not in address:
        raise InputError(
            f"scheduler_address {scheduler_address!r} has no protocol; "
            "write it as tcp://HOST:PORT (the address `dask scheduler` prints)"
        )

    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        # distributed logs start-up and shutdown chatter at INFO/WARNING; a report wants none.
        stack.enter_context(_quiet_logger("distributed"))
        if address:
            try:
                client = stack.enter_context(Client(address, timeout=timeout_s))
            except OSError as exc:
                raise InputError(
                    f"no Dask scheduler answered at {address} within {timeout_s:g} s; "
                    "check that `dask scheduler` runs there and the port is reachable"
                ) from exc
            kind = "external"
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=threads_per_worker,
                    processes=processes,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))
            kind = "embedded"
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        info = ClusterInfo(kind, len(workers), sum(int(w.get("nthreads", 0)) for w in workers))
        with joblib.parallel_config(backend="dask"):
            yield info


@contextlib.contextmanager
def _quiet_logger(name: str, level: int = logging.ERROR) -> Iterator[None]:
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)
