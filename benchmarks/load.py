"""Load benchmark for ``/api/chat``: latency percentiles, throughput and errors under open- or closed-loop load.

    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --rate 8 --duration 60    # open loop
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --users 20 --duration 60  # closed loop
    .venv/bin/python benchmarks/load.py --url URL --users 1 --duration 30                     # single user p50
    .venv/bin/python benchmarks/load.py --url SCALED --baseline-url ONE --users 20 --duration 60
    .venv/bin/python benchmarks/load.py --start --start-args "--rasa-replicas 2 --workers 2" \\
        --start-baseline --users 20 --duration 60                                              # starts both

Open loop (``--rate R``): new turns arrive at R per second (``--arrivals poisson``, the default, or
``fixed`` intervals) whether or not earlier ones were answered; each arrival is the next turn of a
conversation that is not waiting for an answer, or the first turn of a new one, so one conversation
never has two turns in flight. Closed loop (``--users N``): N users, each sending their next turn as
soon as the last answer came, starting a new conversation when one ends.

Conversations are mixed Thai and English, several turns each: a service question taken from the
catalogue's own ``example_questions`` (knowledge/seed/services), a follow-up in the same language
("ต้องใช้เอกสารอะไรบ้าง" / "what documents do I need"), a follow-up in the other language (the citizen
switches), and thanks. Every conversation keeps the ``sender`` id the gateway returned.

With ``--baseline-url`` the baseline configuration (e.g. one Rasa replica) is measured in the same
run, interleaved with the one under test in ``--rounds`` slices (A B B A ...) so drift on a shared
machine falls on both; the ratios compare the two.

A failed turn is one without a 200 answer (``errors``: timeout, refused connection, any non-200 such as
429) or one whose ``status`` is not ``ok`` (``degraded``, ``rasa_timeout``...). Latency percentiles are
over the turns that got a 200 answer. The last line printed is JSON.

Rate limits: the gateway limits /api/chat per client address (``CITIZENBOT_RATE_LIMITS__CHAT_CLIENT_COUNT``,
120 a minute) and per conversation (``CITIZENBOT_RATE_LIMITS__CHAT_CONVERSATION_COUNT``, 20 a minute);
a benchmark sends everything from one address, so raise the first (``--start`` does: 1000000) or every
turn past it is a 429 error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED_SERVICES = ROOT / "knowledge" / "seed" / "services"
DEFAULT_MODEL = ROOT / "models" / "citizenbot.tar.gz"

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "th": ("ต้องใช้เอกสารอะไรบ้าง", "ค่าธรรมเนียมเท่าไหร่", "ไปทำได้ที่ไหน", "ใช้เวลากี่วัน"),
    "en": ("what documents do I need", "how much is the fee", "where do I apply", "how long does it take"),
}
THANKS = {"th": ("ขอบคุณครับ", "ขอบคุณค่ะ"), "en": ("thank you", "thanks a lot")}
OTHER = {"th": "en", "en": "th"}
REQUEST_SECONDS = 60.0
DRAIN_SECONDS = 120.0  # after the last arrival, how long in-flight turns may take before they count as errors
# Raised so the benchmark's one address is not throttled (see the module docstring).
LOAD_TEST_ENV = {
    "CITIZENBOT_RATE_LIMITS__CHAT_CLIENT_COUNT": "1000000",
    "CITIZENBOT_RATE_LIMITS__CHAT_CONVERSATION_COUNT": "1000000",
    "CITIZENBOT_STATUS_CHECK__ATTEMPTS": "1000000",
}


# --- conversations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    text: str
    lang: str


def example_questions(services_dir: Path = SEED_SERVICES) -> list[tuple[str, dict[str, list[str]]]]:
    """``(service id, {"th": [...], "en": [...]})`` for every seed service with examples in both languages."""
    found: list[tuple[str, dict[str, list[str]]]] = []
    for path in sorted(services_dir.glob("*.yaml")):
        for service in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            examples = service.get("example_questions") or {}
            by_lang = {lang: [str(q) for q in examples.get(lang) or [] if str(q).strip()] for lang in ("th", "en")}
            if by_lang["th"] and by_lang["en"]:
                found.append((str(service["id"]), by_lang))
    if not found:
        raise ValueError(f"no service in {services_dir} has example questions in Thai and English")
    return found


def build_scripts(
    examples: Sequence[tuple[str, Mapping[str, Sequence[str]]]], count: int, seed: int = 14
) -> list[list[Turn]]:
    """``count`` conversations, alternately opened in Thai and English, over the services in turn.

    Each: the service question, a follow-up in its language, a follow-up in the other one, thanks."""
    if not examples:
        raise ValueError("no example questions to build conversations from")
    rng = random.Random(seed)
    scripts: list[list[Turn]] = []
    for number in range(count):
        _, questions = examples[number % len(examples)]
        first = "th" if number % 2 == 0 else "en"
        second = OTHER[first]
        follow_first, follow_second = rng.sample(range(len(FOLLOW_UPS[first])), 2)
        scripts.append(
            [
                Turn(rng.choice(list(questions[first])), first),
                Turn(FOLLOW_UPS[first][follow_first], first),
                Turn(FOLLOW_UPS[second][follow_second], second),
                Turn(rng.choice(THANKS[second]), second),
            ]
        )
    return scripts


class ScriptSource:
    """An endless supply of conversations: the built scripts, over and over."""

    def __init__(self, scripts: Sequence[Sequence[Turn]]) -> None:
        if not scripts:
            raise ValueError("no conversation scripts")
        self._scripts = scripts
        self._next = 0

    def next(self) -> Sequence[Turn]:
        script = self._scripts[self._next % len(self._scripts)]
        self._next += 1
        return script


# --- figures (pure) ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between ranks (numpy's default); None if empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def arrival_times(rate: float, duration: float, kind: str = "poisson", seed: int = 14) -> list[float]:
    """Seconds after the start at which open-loop turns arrive, all before ``duration``.

    ``poisson``: exponential gaps with mean 1/rate (a seeded, repeatable draw); ``fixed``: every 1/rate s."""
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    if kind == "fixed":
        return [n / rate for n in range(math.ceil(duration * rate)) if n / rate < duration]
    if kind != "poisson":
        raise ValueError(f"unknown arrival process {kind!r}: poisson or fixed")
    rng = random.Random(seed)
    times: list[float] = []
    at = rng.expovariate(rate)
    while at < duration:
        times.append(at)
        at += rng.expovariate(rate)
    return times


@dataclass
class TurnRecord:
    """One turn's outcome: ``http`` is the status code (None: no answer), ``status`` the body's."""

    started: float
    latency_ms: float
    http: int | None
    status: str | None = None
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.http == 200

    @property
    def failed(self) -> bool:
        return not self.answered or self.status != "ok"


@dataclass
class Measurement:
    """The turns of one configuration, over one or more slices of wall time."""

    label: str
    records: list[TurnRecord] = field(default_factory=list)
    seconds: float = 0.0

    def extend(self, records: Sequence[TurnRecord], seconds: float) -> None:
        self.records.extend(records)
        self.seconds += seconds


def summarise(measurement: Measurement) -> dict[str, Any]:
    """The figures of one configuration: latency percentiles (answered turns), turns/s, errors and failures."""
    latencies = [r.latency_ms for r in measurement.records if r.answered]
    errors = Counter(r.error or f"http_{r.http}" for r in measurement.records if not r.answered)
    not_ok = Counter(str(r.status) for r in measurement.records if r.answered and r.status != "ok")

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    seconds = measurement.seconds
    return {
        "label": measurement.label,
        "turns": len(measurement.records),
        "answered": len(latencies),
        "p50_ms": rounded(percentile(latencies, 50)),
        "p95_ms": rounded(percentile(latencies, 95)),
        "p99_ms": rounded(percentile(latencies, 99)),
        "mean_ms": rounded(sum(latencies) / len(latencies)) if latencies else None,
        "max_ms": rounded(max(latencies)) if latencies else None,
        "turns_per_s": round(len(latencies) / seconds, 2) if seconds > 0 else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(sorted(errors.items())),
        "failed_turns": sum(errors.values()) + sum(not_ok.values()),
        "not_ok_statuses": dict(sorted(not_ok.items())),
        "seconds": round(seconds, 2),
    }


def ratios(measured: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, float | None]:
    """Measured / baseline for throughput and latencies (>1 turns/s is better, <1 latency is better)."""
    out: dict[str, float | None] = {}
    for key in ("turns_per_s", "p50_ms", "p95_ms", "p99_ms"):
        a, b = measured.get(key), baseline.get(key)
        out[key] = round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None
    return out


def report(
    measured: Mapping[str, Any], config: Mapping[str, Any], baseline: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON of the last output line: the measured configuration's figures at the top level."""
    result: dict[str, Any] = {**measured, "config": dict(config)}
    if baseline is not None:
        result["baseline"] = dict(baseline)
        result["ratio"] = ratios(measured, baseline)
    return result


def format_summary(summary: Mapping[str, Any]) -> str:
    def ms(key: str) -> str:
        value = summary.get(key)
        return "-" if value is None else f"{value:.0f} ms"

    rate = summary.get("turns_per_s")
    return (
        f"{summary['label']}: {summary['turns']} turns, p50 {ms('p50_ms')}, p95 {ms('p95_ms')}, "
        f"p99 {ms('p99_ms')}, {'-' if rate is None else f'{rate:.2f}'} turns/s, "
        f"{summary['errors']} errors, {summary['failed_turns']} failed turns"
    )


# --- load generation -----------------------------------------------------------------------------


class Conversation:
    """One citizen's conversation: its script, where it is, and the ``sender`` the gateway issued."""

    def __init__(self, script: Sequence[Turn]) -> None:
        self.script = script
        self.position = 0
        self.sender: str | None = None

    @property
    def done(self) -> bool:
        return self.position >= len(self.script)

    async def send_next(self, client: httpx.AsyncClient, url: str, clock_zero: float) -> TurnRecord:
        turn = self.script[self.position]
        self.position += 1
        body: dict[str, Any] = {"text": turn.text}
        if self.sender:
            body["sender"] = self.sender
        started = time.perf_counter()
        try:
            response = await client.post(f"{url}/api/chat", json=body, timeout=REQUEST_SECONDS)
        except httpx.TimeoutException:
            return TurnRecord(started - clock_zero, _ms_since(started), None, error="timeout")
        except httpx.HTTPError as error:
            return TurnRecord(started - clock_zero, _ms_since(started), None, error=type(error).__name__)
        latency = _ms_since(started)
        if response.status_code != 200:
            return TurnRecord(started - clock_zero, latency, response.status_code)
        try:
            reply = response.json()
        except ValueError:
            return TurnRecord(started - clock_zero, latency, None, error="not_json")
        if isinstance(reply, dict) and isinstance(reply.get("sender"), str):
            self.sender = reply["sender"]
        status = reply.get("status") if isinstance(reply, dict) else None
        return TurnRecord(started - clock_zero, latency, 200, status=str(status) if status is not None else None)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


@contextlib.asynccontextmanager
async def http_client(concurrency: int) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=max(concurrency, 10), max_keepalive_connections=max(concurrency, 10))
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_SECONDS) as client:
        yield client


async def closed_loop(
    client: httpx.AsyncClient, url: str, users: int, duration: float, source: ScriptSource
) -> tuple[list[TurnRecord], float]:
    """``users`` users, each sending the next turn when the last was answered, until ``duration`` is up.

    A turn sent before the end is waited for and counted; throughput is over the time until the last answer."""
    records: list[TurnRecord] = []
    zero = time.perf_counter()
    deadline = zero + duration

    async def user() -> None:
        conversation = Conversation(source.next())
        while time.perf_counter() < deadline:
            if conversation.done:
                conversation = Conversation(source.next())
            records.append(await conversation.send_next(client, url, zero))

    await asyncio.gather(*(user() for _ in range(users)))
    return records, time.perf_counter() - zero


async def open_loop(
    client: httpx.AsyncClient, url: str, schedule: Sequence[float], source: ScriptSource
) -> tuple[list[TurnRecord], float]:
    """Turns sent at the scheduled times whatever happens to earlier ones.

    Each arrival continues a conversation that is not waiting for an answer (oldest first), or opens a
    new one. In-flight turns are waited for (``DRAIN_SECONDS`` at most; later ones count as timeouts)."""
    records: list[TurnRecord] = []
    ready: list[Conversation] = []
    tasks: set[asyncio.Task[None]] = set()
    zero = time.perf_counter()
    last_answer = zero

    async def turn(conversation: Conversation) -> None:
        nonlocal last_answer
        records.append(await conversation.send_next(client, url, zero))
        last_answer = time.perf_counter()
        if not conversation.done:
            ready.append(conversation)

    for at in schedule:
        delay = zero + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conversation = ready.pop(0) if ready else Conversation(source.next())
        task = asyncio.create_task(turn(conversation))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=DRAIN_SECONDS)
        for task in pending:
            task.cancel()
            records.append(TurnRecord(0.0, DRAIN_SECONDS * 1000, None, error="timeout"))
    return records, max(last_answer - zero, schedule[-1] if schedule else 0.0)


async def warm_up(client: httpx.AsyncClient, url: str, source: ScriptSource, turns: int) -> None:
    """A few unmeasured turns: the first ones load lazily (encoder, index) and would skew p99."""
    conversation = Conversation(source.next())
    for _ in range(turns):
        if conversation.done:
            conversation = Conversation(source.next())
        await conversation.send_next(client, url, time.perf_counter())


def slice_order(targets: int, rounds: int) -> list[int]:
    """Which target measures in each slice: 0 1 1 0 0 1 ... (ABBA), so drift is shared alike."""
    order: list[int] = []
    for number in range(rounds):
        step = list(range(targets))
        order.extend(step if number % 2 == 0 else step[::-1])
    return order


async def measure(args: argparse.Namespace, targets: Sequence[tuple[str, str]]) -> list[Measurement]:
    """Run the load against each ``(label, url)``, interleaved in ``args.rounds`` slices each."""
    scripts = build_scripts(example_questions(), count=64, seed=args.seed)
    measurements = [Measurement(label) for label, _ in targets]
    concurrency = args.users or max(10, math.ceil((args.rate or 1) * 4))
    async with http_client(concurrency) as client:
        for _, url in targets:
            await warm_up(client, url, ScriptSource(scripts[::-1]), args.warmup)
        slice_seconds = args.duration / args.rounds
        for number, index in enumerate(slice_order(len(targets), args.rounds)):
            label, url = targets[index]
            source = ScriptSource(scripts[number % len(scripts) :] + scripts[: number % len(scripts)])
            if args.users:
                records, seconds = await closed_loop(client, url, args.users, slice_seconds, source)
            else:
                schedule = arrival_times(args.rate, slice_seconds, args.arrivals, seed=args.seed + number)
                records, seconds = await open_loop(client, url, schedule, source)
            measurements[index].extend(records, seconds)
            partial = summarise(Measurement(label, records, seconds))
            print(f"   slice {number + 1}: {format_summary(partial)}", file=sys.stderr, flush=True)
    return measurements


# --- starting a stack (optional) -------------------------------------------------------------------


@contextlib.contextmanager
def started_stacks(args: argparse.Namespace) -> Iterator[tuple[str | None, str | None, list[Path]]]:
    """``--start``/``--start-baseline``: the working tree's ``citizenbot run`` on free ports, limits raised.

    Reuses benchmarks/citizen_kinds.py's Stack (stores in a temporary folder, or in ``--keep`` to look at
    afterwards; the trained model as is). Also yields the stacks' log files, for a run with errors."""
    if not (args.start or args.start_baseline):
        yield args.url, args.baseline_url, []
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from citizen_kinds import RASA_VENV, Stack, working_tree

    model = Path(args.model)
    if not model.is_file():
        raise SystemExit(f"no trained model at {model}: train it first (make model)")
    version = working_tree()
    extra_env = dict(LOAD_TEST_ENV)
    extra_env.update(parse_env(args.start_env))
    with contextlib.ExitStack() as stacks:
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            tmp = str(Path(args.keep).resolve())
        else:
            tmp = stacks.enter_context(tempfile.TemporaryDirectory(prefix="citizenbot-load-"))
        url, baseline_url, logs = args.url, args.baseline_url, []
        if args.start:
            print(f">> starting the stack under test: citizenbot run {args.start_args}", file=sys.stderr, flush=True)
            stack = Stack(version, model, Path(tmp) / "measured", RASA_VENV, extra_env, shlex.split(args.start_args))
            url = stacks.enter_context(stack).url
            logs.append(stack.log_path)
        if args.start_baseline:
            print(f">> starting the baseline: citizenbot run {args.baseline_args}", file=sys.stderr, flush=True)
            baseline_env = dict(LOAD_TEST_ENV) | parse_env(args.baseline_env)
            baseline = Stack(
                version, model, Path(tmp) / "baseline", RASA_VENV, baseline_env, shlex.split(args.baseline_args)
            )
            baseline_url = stacks.enter_context(baseline).url
            logs.append(baseline.log_path)
        yield url, baseline_url, logs


def show_log_tails(logs: Sequence[Path], lines: int = 80) -> None:
    """A run with errors: the end of each started stack's log on stderr, before its folder goes."""
    for log in logs:
        tail = log.read_text(errors="replace").splitlines()[-lines:] if log.is_file() else ["(no log)"]
        print(f">> errors in this run: the last {len(tail)} lines of {log}", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr, flush=True)


def parse_env(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a mapping; anything else is refused with the bad item named."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected KEY=VALUE, got {pair!r}")
        env[key.strip()] = value
    return env


# --- command line ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="the gateway under test, e.g. http://127.0.0.1:8000")
    load = parser.add_mutually_exclusive_group(required=True)
    load.add_argument("--rate", type=float, help="open loop: new turns per second, whatever the answers")
    load.add_argument("--users", type=int, help="closed loop: users each sending the next turn on an answer")
    load.add_argument("--single", action="store_true", help="one user, closed loop: the single-user latency")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per configuration")
    parser.add_argument("--arrivals", choices=["poisson", "fixed"], default="poisson", help="open-loop gaps")
    parser.add_argument("--baseline-url", help="a baseline configuration measured in the same run, interleaved")
    parser.add_argument("--rounds", type=int, default=None, help="slices each (1; 2 with a baseline)")
    parser.add_argument("--warmup", type=int, default=4, help="unmeasured turns per configuration first")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--start", action="store_true", help="start the stack under test (citizenbot run, free ports)")
    parser.add_argument("--start-args", default="", help="extra arguments to its citizenbot run")
    parser.add_argument("--start-env", action="append", default=[], help="KEY=VALUE for it (repeatable)")
    parser.add_argument("--start-baseline", action="store_true", help="start a baseline stack too")
    parser.add_argument("--baseline-args", default="", help="extra arguments to the baseline's citizenbot run")
    parser.add_argument("--baseline-env", action="append", default=[], help="KEY=VALUE for the baseline")
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="trained Rasa model for --start")
    parser.add_argument("--keep", help="with --start: keep the stacks' stores and logs in this folder")
    args = parser.parse_args(argv)
    if args.single:
        args.users = 1
    if args.users is not None and args.users < 1:
        parser.error("--users must be at least 1")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be positive")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if not args.url and not args.start:
        parser.error("give --url or --start")
    if args.url and args.start:
        parser.error("--url and --start are exclusive")
    if args.baseline_url and args.start_baseline:
        parser.error("--baseline-url and --start-baseline are exclusive")
    if args.rounds is None:
        args.rounds = 2 if (args.baseline_url or args.start_baseline) else 1
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        parse_env([*args.start_env, *args.baseline_env])
    except ValueError as error:
        parser.error(str(error))
    return args


def config_of(args: argparse.Namespace, url: str, baseline_url: str | None) -> dict[str, Any]:
    mode = "closed" if args.users else "open"
    config: dict[str, Any] = {"mode": mode, "url": url, "duration_s": args.duration, "rounds": args.rounds}
    if mode == "closed":
        config["users"] = args.users
    else:
        config |= {"rate": args.rate, "arrivals": args.arrivals}
    if baseline_url:
        config["baseline_url"] = baseline_url
    if args.start:
        config["start_args"] = args.start_args
    if args.start_baseline:
        config["baseline_args"] = args.baseline_args
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with started_stacks(args) as (url, baseline_url, logs):
        assert url is not None
        targets = [("measured", url.rstrip("/"))]
        if baseline_url:
            targets.append(("baseline", baseline_url.rstrip("/")))
        measured, *rest = asyncio.run(measure(args, targets))
        if any(not record.answered for measurement in (measured, *rest) for record in measurement.records):
            show_log_tails(logs)
    summary = summarise(measured)
    baseline = summarise(rest[0]) if rest else None
    print(format_summary(summary))
    if baseline is not None:
        print(format_summary(baseline))
        ratio = ratios(summary, baseline)
        print("ratio measured/baseline: " + ", ".join(f"{k} {v}" for k, v in ratio.items()))
    print(json.dumps(report(summary, config_of(args, url, baseline_url), baseline), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
