"""The model is retrained when, and only when, something training reads changes."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from gateway.settings import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("train_model", PROJECT_ROOT / "scripts" / "train_model.py")
assert spec and spec.loader
train_model = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_model)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for entry in ("config.yml", "bot", "nlu", "requirements/rasa.lock"):
        source = PROJECT_ROOT / entry
        target = tmp_path / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return tmp_path


def test_every_component_named_in_the_config_and_what_it_imports_is_covered(tree: Path) -> None:
    covered = {file.name for file in train_model.nlu_files(tree)}
    assert {"rasa_tokenizer.py", "rasa_intent_classifier.py", "rasa_entities.py", "normalize.py"} <= covered
    assert "national_id.py" in covered  # imported by the entity extractor, not named in the config


def test_a_gateway_only_nlu_module_does_not_retrain(tree: Path) -> None:
    before = train_model.fingerprint(tree)
    (tree / "nlu" / "pii.py").write_text("# masks personal data in the gateway\n", encoding="utf-8")
    assert train_model.fingerprint(tree) == before


@pytest.mark.parametrize("changed", ["nlu/national_id.py", "nlu/rasa_tokenizer.py", "config.yml"])
def test_a_change_to_what_training_reads_retrains(tree: Path, changed: str) -> None:
    before = train_model.fingerprint(tree)
    with (tree / changed).open("a", encoding="utf-8") as file:
        file.write("\n# changed\n")
    assert train_model.fingerprint(tree) != before


def test_a_change_to_the_training_data_retrains(tree: Path) -> None:
    before = train_model.fingerprint(tree)
    data = next((tree / "bot" / "data").rglob("*.yml"))
    data.write_text(data.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert train_model.fingerprint(tree) != before


FAKE_RASA = """#!{python}
# Stands in for `rasa train` to test the script's own locking: counts its runs and writes a model.
import sys, time
from pathlib import Path
args = sys.argv[1:]
out, name = Path(args[args.index("--out") + 1]), args[args.index("--fixed-model-name") + 1]
with open(out / "runs", "a") as runs:
    runs.write("run\\n")
time.sleep(1.5)
(out / f"{{name}}.tar.gz").write_bytes(b"model")
"""


def test_two_callers_at_once_train_one_model(tmp_path: Path) -> None:
    """`make test` trains beside the tests that need no model; a second caller waits for that model."""
    import subprocess
    import sys

    rasa = tmp_path / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable), encoding="utf-8")
    rasa.chmod(0o755)
    out = tmp_path / "models"
    command = [sys.executable, str(PROJECT_ROOT / "scripts" / "train_model.py"), "--rasa", str(rasa), "--out", str(out)]
    callers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [caller.communicate(timeout=60)[0] for caller in callers]
    assert [caller.returncode for caller in callers] == [0, 0]
    assert (out / "runs").read_text().count("run") == 1
    assert sum("model up to date" in output for output in outputs) == 1
