"""Shared fixtures. The gateway suite runs in .venv (Python 3.11); the files that
need Rasa itself run in .venv-rasa and are skipped from collection here."""

from __future__ import annotations

import importlib.util
import os

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

collect_ignore = [] if importlib.util.find_spec("rasa") else ["nlu/test_rasa_tokenizer.py"]


@pytest.fixture(scope="session")
def seed_services():
    from knowledge.catalogue_files import load_seed

    return load_seed()


@pytest.fixture(scope="session")
def embedder():
    """The embedded default encoder, loaded once per session (a few seconds)."""
    from knowledge.embedders import create_embedder

    return create_embedder("use-multilingual")
