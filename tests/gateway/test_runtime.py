"""The runtime passes the settings' thread counts down to the encoder and to faiss."""

from __future__ import annotations

import asyncio

import faiss

from gateway.runtime import Runtime
from knowledge.search.dense import DenseIndex, set_faiss_threads
from nlu.numeric_threads import blas_threads, set_blas_threads
from tests.support import make_settings


def test_thread_counts_come_from_the_settings(tmp_path):
    settings = make_settings(tmp_path)
    settings.search.encoder_threads = 3
    settings.search.faiss_threads = 2
    settings.search.blas_threads = 2
    runtime = Runtime.create(settings)
    try:
        assert runtime.catalogue.embedder.threads == 3
        DenseIndex(8)  # faiss loads on first use, with the configured threads
        assert faiss.omp_get_max_threads() == 2
        assert blas_threads() == 2
    finally:
        set_faiss_threads(1)  # process-wide: put back what every other test expects
        set_blas_threads(1)
        asyncio.run(runtime.aclose())
    assert faiss.omp_get_max_threads() == 1
    assert blas_threads() == 1


def test_the_default_gateway_runs_numpy_on_one_blas_thread(tmp_path):
    set_blas_threads(2)  # as numpy starts on two cores
    runtime = Runtime.create(make_settings(tmp_path))
    try:
        assert blas_threads() == 1  # idle BLAS threads spin: a lookup cost 6x the CPU with two
    finally:
        asyncio.run(runtime.aclose())
