"""Run backtest origins on a Dask ``distributed`` cluster (the optional ``dask`` extra).

:func:`dask_executor` connects to a scheduler (or starts a :class:`distributed.LocalCluster`)
and yields a :class:`concurrent.futures.Executor` for :func:`followon.backtest`'s
``executor`` argument — the same path a process pool takes — with the number of worker
threads, which sets how origins are chunked. ``docs/dask.md`` shows a multi-machine cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any, NamedTuple

from followon.errors import FollowonError

__all__ = ["DASK_MISSING", "DaskExecutor", "dask_executor"]

DASK_MISSING = (
    "running on a Dask cluster needs the 'distributed' package, which is not installed: "
    "pip install 'followon[dask]'"
)
"""The one line a user without ``distributed`` reads."""


class DaskExecutor(NamedTuple):
    """What :func:`dask_executor` yields."""

    executor: Executor
    workers: int
    """Worker threads on the cluster when it was joined (pass as ``n_jobs``)."""
    address: str
    """The scheduler's address."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise FollowonError(DASK_MISSING) from None
    return distributed


@contextmanager
def dask_executor(
    address: str | None = None,
    *,
    n_workers: int | None = None,
    processes: bool = True,
    timeout: float = 30.0,
) -> Iterator[DaskExecutor]:
    """Yield an executor on a Dask cluster; close what was started here on exit.

    Parameters
    ----------
    address : str, optional
        A running scheduler (``tcp://host:8786``). None starts a ``LocalCluster`` on this
        machine: ``n_workers`` workers of one thread each, no dashboard.
    n_workers : int, optional
        Workers of the local cluster (default: Dask's choice, the machine's cores).
    processes : bool
        Local workers as processes (default) or threads of this process.
    timeout : float
        Seconds to wait for the scheduler.

    Raises
    ------
    FollowonError
        ``distributed`` is not installed (:data:`DASK_MISSING`).
    OSError
        The scheduler cannot be reached.

    Examples
    --------
    >>> with dask_executor("tcp://scheduler:8786") as dask:  # doctest: +SKIP
    ...     result = fo.backtest(scenario, executor=dask.executor, n_jobs=dask.workers)
    """
    distributed = _distributed()
    cluster = None
    if address is None:
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    try:
        client = distributed.Client(cluster if cluster is not None else address, timeout=timeout)
        try:
            workers = max(1, sum(client.nthreads().values()))
            executor = client.get_executor()
            try:
                yield DaskExecutor(executor, workers, str(client.scheduler.address))
            finally:
                executor.shutdown(wait=False)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
