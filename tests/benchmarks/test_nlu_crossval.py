"""The NLU benchmark's config rewriting and its median over seeded splits.

The intent-only mode is only honest if what it removes cannot change the intent; these tests
pin that down on the real config.yml.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nlu_crossval", ROOT / "benchmarks" / "nlu_crossval.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["nlu_crossval"] = bench
_spec.loader.exec_module(bench)


def _names(path: Path) -> list[str]:
    return [component["name"] for component in yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]]


def test_intent_only_keeps_everything_up_to_the_intent_and_the_fallback(tmp_path: Path) -> None:
    target = tmp_path / "config.yml"
    bench.write_config(ROOT / "config.yml", target, None, False, intent_only=True)
    names = _names(target)
    full = _names(ROOT / "config.yml")
    assert "DIETClassifier" not in names and "ResponseSelector" not in names
    cut = full.index(bench.INTENT_CLASSIFIER) + 1
    assert names[:cut] == full[:cut]  # every component that shapes the intent is unchanged
    assert names[-1] == "FallbackClassifier"
    assert "policies" not in yaml.safe_load(target.read_text(encoding="utf-8"))


def test_intent_only_refuses_a_config_where_diet_classifies_intents(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["intent_classification"] = True
    source = tmp_path / "diet.yml"
    source.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(SystemExit, match="intent_classification: false"):
        bench.write_config(source, tmp_path / "out.yml", None, False, intent_only=True)


def test_baseline_swaps_only_the_intent_classifier(tmp_path: Path) -> None:
    ours, baseline = tmp_path / "ours.yml", tmp_path / "baseline.yml"
    bench.write_config(ROOT / "config.yml", ours, None, False, intent_only=True)
    bench.write_config(ROOT / "config.yml", baseline, None, False, intent_only=True, baseline=True)
    swapped = [bench.BASELINE_CLASSIFIER if name == bench.INTENT_CLASSIFIER else name for name in _names(ours)]
    assert _names(baseline) == swapped


def _report(folder: Path, macro_f1: float) -> Path:
    folder.mkdir()
    report = {
        "greet": {"precision": 1.0, "recall": 1.0, "f1-score": macro_f1, "support": 3},
        "accuracy": macro_f1,
        "macro avg": {"f1-score": macro_f1, "support": 3},
        "weighted avg": {"f1-score": macro_f1, "support": 3},
    }
    (folder / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


def test_runs_are_summarised_by_their_median_split(tmp_path: Path) -> None:
    folders = {seed: _report(tmp_path / str(seed), f1) for seed, f1 in {1: 0.91, 2: 0.87, 3: 0.93}.items()}
    summary = bench.summarise_runs(folders, threshold=None)
    assert summary["intent_macro_f1_median"] == 0.91
    assert (summary["intent_macro_f1_min"], summary["intent_macro_f1_max"]) == (0.87, 0.93)
    assert summary["median_split"]["seed"] == 1
    assert bench.median([0.9, 0.8, 1.0, 0.7]) == pytest.approx(0.85)
