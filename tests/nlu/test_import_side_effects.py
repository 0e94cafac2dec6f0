"""Importing our Thai text tools or the encoder changes nothing in the process: the offline switches
and thread counts are decided at start-up (``citizenbot``, the Makefile, the settings), not at import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_DIFF_AFTER_IMPORT = """
import json, os, sys
before = dict(os.environ)
__import__(sys.argv[1])
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
print(json.dumps(changed))
"""


@pytest.mark.parametrize("module", ["nlu.embedders", "nlu.tokens"])
def test_importing_changes_no_environment_variable(module: str):
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # none of the offline switches set
    result = subprocess.run(
        [sys.executable, "-c", _DIFF_AFTER_IMPORT, module], env=clean, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
