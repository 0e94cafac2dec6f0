"""Rasa end-to-end test stories (tests/e2e, Thai and English) with --fail-on-prediction-errors.

Each story gives the citizen's words, the intent they must be read as, and the
actions the bot must take: follow-ups, switching services, switching language,
the status form with cancel and resume, hand-off and feedback.
"""

from __future__ import annotations

import subprocess

import pytest

from gateway.settings import PROJECT_ROOT
from gateway.supervisor import rasa_environment

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def test_every_end_to_end_story_passes(live_stack, tmp_path):
    settings = live_stack.settings
    command = [
        str(settings.rasa.venv / "bin" / "rasa"), "test", "core",
        "--model", str(settings.rasa.model_path),
        "--stories", str(PROJECT_ROOT / "tests" / "e2e"),
        "--endpoints", str(PROJECT_ROOT / "bot" / "endpoints.yml"),
        "--out", str(tmp_path),
        "--fail-on-prediction-errors",
        "--no-plot",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=rasa_environment(settings), capture_output=True, text=True, timeout=900
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
    assert "# predicted" not in details
