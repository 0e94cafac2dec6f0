"""The load benchmark's own parts: percentiles, arrivals, conversations, the JSON line, and a tiny run
against a loopback stub of ``/api/chat`` (it tests the benchmark, not the bot)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support import ThreadedServer, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("load_benchmark", ROOT / "benchmarks" / "load.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["load_benchmark"] = bench
_spec.loader.exec_module(bench)


# --- percentiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0, 1, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy_linear(q: float) -> None:
    values = [float(v) for v in np.random.default_rng(1).gamma(2.0, 50.0, size=101)]
    assert bench.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_small_and_empty_samples() -> None:
    assert bench.percentile([], 50) is None
    assert bench.percentile([7.0], 99) == 7.0
    assert bench.percentile([10.0, 20.0], 50) == 15.0
    assert bench.percentile([30.0, 10.0, 20.0], 50) == 20.0  # order does not matter
    with pytest.raises(ValueError, match=r"0\.\.100"):
        bench.percentile([1.0], 101)


# --- arrivals ------------------------------------------------------------------------------------


def test_fixed_arrivals_are_evenly_spaced_within_the_duration() -> None:
    times = bench.arrival_times(4, 2.0, "fixed")
    assert times == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75])


def test_poisson_arrivals_have_the_rate_and_are_repeatable() -> None:
    times = bench.arrival_times(10, 200.0, "poisson", seed=3)
    assert times == bench.arrival_times(10, 200.0, "poisson", seed=3)
    assert times != bench.arrival_times(10, 200.0, "poisson", seed=4)
    assert times == sorted(times) and times[0] > 0 and times[-1] < 200.0
    assert len(times) == pytest.approx(2000, rel=0.1)  # Poisson: sd ~ 45
    gaps = np.diff(times)
    assert float(np.std(gaps)) == pytest.approx(float(np.mean(gaps)), rel=0.15)  # exponential: sd = mean


@pytest.mark.parametrize(("rate", "duration", "kind"), [(0, 1.0, "fixed"), (1, 0.0, "poisson"), (1, 1.0, "burst")])
def test_bad_arrival_parameters_are_refused(rate: float, duration: float, kind: str) -> None:
    with pytest.raises(ValueError):
        bench.arrival_times(rate, duration, kind)


# --- conversations ---------------------------------------------------------------------------------


def test_conversations_come_from_the_seed_examples_in_both_languages() -> None:
    examples = bench.example_questions()
    by_service = dict(examples)
    scripts = bench.build_scripts(examples, count=20)
    assert len(scripts) == 20
    for number, script in enumerate(scripts):
        service, _ = examples[number % len(examples)]
        first, follow, switched, thanks = script
        assert first.lang == ("th" if number % 2 == 0 else "en")
        assert first.text in by_service[service][first.lang]
        assert follow.lang == first.lang and follow.text in bench.FOLLOW_UPS[first.lang]
        assert switched.lang != first.lang and switched.text in bench.FOLLOW_UPS[switched.lang]
        assert thanks.lang == switched.lang and thanks.text in bench.THANKS[thanks.lang]
    assert bench.build_scripts(examples, count=20) == scripts  # seeded


def test_examples_need_both_languages(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(
        "- id: only-thai\n  example_questions:\n    th: [ต่อบัตรประชาชน]\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="Thai and English"):
        bench.example_questions(tmp_path)


def test_slices_alternate_abba() -> None:
    assert bench.slice_order(2, 3) == [0, 1, 1, 0, 0, 1]
    assert bench.slice_order(1, 2) == [0, 0]


# --- the summary and the JSON line -------------------------------------------------------------------


def _records() -> list[Any]:
    ok = [bench.TurnRecord(0.0, float(ms), 200, "ok") for ms in range(10, 110, 10)]
    return [
        *ok,
        bench.TurnRecord(0.0, 50.0, 200, "degraded"),
        bench.TurnRecord(0.0, 5.0, 429),
        bench.TurnRecord(0.0, 60000.0, None, error="timeout"),
    ]


def test_summary_counts_errors_and_failed_turns() -> None:
    summary = bench.summarise(bench.Measurement("measured", _records(), seconds=2.0))
    assert summary["turns"] == 13 and summary["answered"] == 11
    assert summary["errors"] == 2 and summary["error_kinds"] == {"http_429": 1, "timeout": 1}
    assert summary["failed_turns"] == 3 and summary["not_ok_statuses"] == {"degraded": 1}
    assert summary["turns_per_s"] == 5.5  # answered turns per second
    latencies = [float(ms) for ms in range(10, 110, 10)] + [50.0]
    assert summary["p50_ms"] == pytest.approx(np.percentile(latencies, 50), abs=0.05)
    assert summary["p99_ms"] == pytest.approx(np.percentile(latencies, 99), abs=0.05)


def test_report_holds_the_required_keys_and_the_ratio() -> None:
    measured = bench.summarise(bench.Measurement("measured", _records(), seconds=1.0))
    baseline = bench.summarise(bench.Measurement("baseline", _records(), seconds=2.0))
    result = bench.report(measured, {"mode": "closed", "users": 2}, baseline)
    line = json.loads(json.dumps(result))
    for key in ("p50_ms", "p95_ms", "p99_ms", "turns_per_s", "errors", "failed_turns", "config"):
        assert key in line
    assert line["ratio"]["turns_per_s"] == 2.0 and line["ratio"]["p50_ms"] == 1.0
    assert line["baseline"]["label"] == "baseline"


def test_empty_measurement_has_no_figures_and_no_ratio() -> None:
    empty = bench.summarise(bench.Measurement("measured"))
    assert empty["p50_ms"] is None and empty["turns_per_s"] is None and empty["errors"] == 0
    assert bench.ratios(empty, empty) == {"turns_per_s": None, "p50_ms": None, "p95_ms": None, "p99_ms": None}


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--url", "http://x", "--duration", "1"], "one of the arguments"),
        (["--url", "http://x", "--users", "0"], "at least 1"),
        (["--users", "1"], "give --url or --start"),
        (["--url", "http://x", "--rate", "-2"], "positive"),
        (["--url", "http://x", "--users", "1", "--start-env", "NOEQUALS"], "KEY=VALUE"),
    ],
)
def test_bad_command_lines_are_refused(argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert problem in capsys.readouterr().err


def test_single_is_one_closed_loop_user() -> None:
    args = bench.parse_args(["--url", "http://x", "--single", "--duration", "5"])
    assert args.users == 1 and args.rounds == 1
    assert bench.parse_args(["--url", "http://x", "--baseline-url", "http://y", "--rate", "2"]).rounds == 2


# --- a tiny run against a stub /api/chat --------------------------------------------------------------


class StubChat:
    """Mimics /api/chat: issues ``sender`` ids, answers every 5th turn ``degraded`` and every 7th with 429."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.issued = itertools.count(1)
        self.turns: dict[str, int] = {}  # sender -> turns seen in that conversation
        self.unknown_senders = 0
        self.statuses: list[str] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/chat")
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            with self.lock:
                self.count += 1
                number = self.count
                sender = body.get("sender")
                if sender is None:
                    sender = f"s{next(self.issued)}"
                elif sender not in self.turns:
                    self.unknown_senders += 1
                self.turns[sender] = self.turns.get(sender, 0) + 1
                if number % 7 == 0:
                    self.statuses.append("429")
                    return JSONResponse({"error": {"code": "too_many_requests"}}, status_code=429)
                status = "degraded" if number % 5 == 0 else "ok"
                self.statuses.append(status)
            return JSONResponse({"sender": sender, "language": "th", "status": status, "messages": []})

        return app


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[str, StubChat]]:
    chat = StubChat()
    port = free_port()
    server = ThreadedServer(uvicorn.Config(chat.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_until(lambda: server.started, 10)
    yield f"http://127.0.0.1:{port}", chat
    server.should_exit = True
    thread.join(10)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert bench.main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result: dict[str, Any] = json.loads(out[-1])
    return result


def _stub_counts(chat: StubChat, since: int) -> tuple[int, int]:
    statuses = chat.statuses[since:]
    return statuses.count("429"), statuses.count("429") + statuses.count("degraded")


def test_closed_loop_run_against_a_stub(stub: tuple[str, StubChat], capsys: pytest.CaptureFixture[str]) -> None:
    url, chat = stub
    before = len(chat.statuses)
    result = _run(["--url", url, "--users", "3", "--duration", "0.6", "--warmup", "0"], capsys)
    errors, failed = _stub_counts(chat, before)
    assert result["turns"] == len(chat.statuses) - before > 6
    assert result["errors"] == errors and result["failed_turns"] == failed
    assert result["config"] == {"mode": "closed", "url": url, "duration_s": 0.6, "rounds": 1, "users": 3}
    assert result["turns_per_s"] > 0 and result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    # every conversation continued with the id the stub issued, and none ran past its four turns
    assert chat.unknown_senders == 0 and max(chat.turns.values()) <= 4


def test_open_loop_with_a_baseline_against_a_stub(
    stub: tuple[str, StubChat], capsys: pytest.CaptureFixture[str]
) -> None:
    url, chat = stub
    before = len(chat.statuses)
    argv = ["--url", url, "--baseline-url", url + "/", "--rate", "40", "--arrivals", "fixed", "--duration", "0.5"]
    result = _run([*argv, "--warmup", "1"], capsys)
    assert result["turns"] == 20 and result["baseline"]["turns"] == 20  # 40/s for 0.25 s, twice each
    assert len(chat.statuses) - before == 2 + 40
    assert set(result["ratio"]) == {"turns_per_s", "p50_ms", "p95_ms", "p99_ms"}
    assert result["config"]["mode"] == "open" and result["config"]["rate"] == 40
    # Turns per second are the answered turns over the measured wall time (a loaded machine stretches the
    # 0.25 s slices, so the figure is checked against the time the run reports, not against 40/s).
    assert result["seconds"] > 0
    assert result["turns_per_s"] == pytest.approx(result["answered"] / result["seconds"], rel=0.05)


def test_a_run_with_errors_shows_the_end_of_each_stack_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "stack.log"
    log.write_text("\n".join(f"line {n}" for n in range(200)) + "\nuvicorn: worker 2 died\n", encoding="utf-8")
    bench.show_log_tails([log, tmp_path / "missing.log"], lines=3)
    err = capsys.readouterr().err
    assert "line 198\nline 199\nuvicorn: worker 2 died" in err and "line 197" not in err
    assert "missing.log" in err and "(no log)" in err
