"""How many BLAS threads numpy may use in this process.

numpy's OpenBLAS starts one thread per core, and after each matrix product its idle threads spin
for work. A search is a few small products spread over a turn, so the spinning cost more than the
products: on the seed catalogue, a lookup every 20 ms cost 42-46 ms of CPU with two threads and
6-7 ms with one (2 cores). Concurrency comes from serving several requests at once instead.
"""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["blas_threads", "set_blas_threads"]


def set_blas_threads(threads: int) -> None:
    """Limit every BLAS library loaded in this process to ``threads``, process-wide and from now on."""
    if threads < 1:
        raise ValueError(f"BLAS needs at least one thread, got {threads}")
    import numpy  # noqa: F401  (loads OpenBLAS, so that the limit reaches it)

    threadpool_limits(limits=threads, user_api="blas")


def blas_threads() -> int:
    """The most threads any loaded BLAS library may use now (0 when none is loaded)."""
    return max((int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"), default=0)
