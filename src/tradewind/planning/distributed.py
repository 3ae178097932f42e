"""The same planning kernel beyond one machine: the SKU axis cut into partitions, each planned on a
`dask.distributed` worker, the pieces put back in order. Every SKU is planned independently, so the result
equals the local run exactly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

import numpy as np

from tradewind.planning.kernels import DemandEstimate, PlanResult, plan
from tradewind.planning.service import KernelRunner


def split_arguments(arguments: dict[str, Any], start: int, stop: int, n_skus: int) -> dict[str, Any]:
    """The kernel's arguments for SKUs [start, stop): per-SKU arrays (and a demand estimate) are sliced, scalars
    passed as they are."""
    part: dict[str, Any] = {}
    for name, value in arguments.items():
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n_skus:
            part[name] = value[start:stop]
        elif isinstance(value, DemandEstimate):
            part[name] = value.rows(start, stop)
        else:
            part[name] = value
    return part


def concatenate(results: list[PlanResult]) -> PlanResult:
    return PlanResult(**{f.name: np.concatenate([getattr(r, f.name) for r in results]) for f in fields(PlanResult)})


def partition_bounds(n_skus: int, partitions: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, n_skus, max(1, min(partitions, n_skus)) + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


@contextmanager
def dask_runner(address: str, *, partitions: int | None = None) -> Iterator[KernelRunner]:
    """A kernel runner on a Dask cluster: `address` of a scheduler (tcp://host:8786), or `local` for a
    LocalCluster of 2 worker processes on this machine."""
    from distributed import Client, LocalCluster

    cluster = (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        if (address == "local")
        else None
    )
    client = Client(cluster if cluster is not None else address)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        count = partitions or workers * 4

        def run(**arguments: Any) -> PlanResult:
            n_skus = int(np.asarray(arguments["history"]).shape[0])
            futures = [
                client.submit(plan, **split_arguments(arguments, start, stop, n_skus), pure=False)
                for start, stop in partition_bounds(n_skus, count)
            ]
            return concatenate(client.gather(futures))

        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
