"""Right service first, by kind of citizen question: a baseline ref (today's main) and the working tree,
side by side in one run.

    .venv/bin/python benchmarks/citizen_kinds.py                       # chat mode, frozen test split
    .venv/bin/python benchmarks/citizen_kinds.py --split dev --mode search [--misses]

Each version runs in its own processes with its own code: the baseline ref is checked out with
``git worktree add`` into a temporary folder (removed afterwards) and every child process gets that
tree on ``PYTHONPATH``. The tree's layout decides how it is run (``gateway/`` now, ``bot/`` before
the package split of issue 10).

``--mode chat`` (the honest one): trains each version's Rasa model with that tree's
``scripts/train_model.py`` (cached by fingerprint under ``var/benchmarks/citizen_kinds/models``,
so a second run does not retrain), starts that version's real stack (``<package>.cli run``: Rasa and
the gateway, on free ports, with stores in a temporary folder) and posts every question to
``/api/chat`` without ``language``, each from a new sender. The first service card in the reply is
the answer; a reply with no card whose quick replies name catalogue services "asked back"; a question
outside the catalogue is answered right when no service card is shown. The reply's ``language``
must equal the question's ``lang``.

``--mode search`` (fast, no Rasa): the top hit of each version's own catalogue search over its
own seed catalogue, with that version's ``search.min_score`` as the no-match threshold.

Prints the JSON report on stdout and the table (and progress) on stderr. Quality is deterministic,
so there are no repeats or medians; the run time is reported. ``--misses`` lists the questions
each version got wrong, and is refused on the frozen test split: its errors are never looked at.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_DIR = ROOT / "tests" / "data" / "persona_questions"
SPLITS = {"dev": QUESTIONS_DIR / "dev.jsonl", "test": QUESTIONS_DIR / "test.jsonl"}
DEFAULT_BASELINE = "4c68aa9"  # main before issue 11's session
RASA_VENV = ROOT / ".venv-rasa"
MODEL_CACHE = ROOT / "var" / "benchmarks" / "citizen_kinds" / "models"
OFFLINE = {"PYTHAINLP_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

OUT_OF_CATALOGUE = "out_of_catalogue"
KIND_LABELS = {
    "formal": "formal Thai",
    "colloquial": "colloquial Thai",
    "misspelt": "misspelt Thai",
    "nospace": "unspaced Thai",
    "codeswitch": "code-switched Thai/English",
    "english": "English",
    "sibling": "sibling services",
    OUT_OF_CATALOGUE: "outside the catalogue: no unrelated card shown",
}
REQUIRED_FIELDS = ("id", "text", "relevant", "lang", "kind")

STARTUP_SECONDS = 900.0  # Rasa loads its model in a minute or two; on a busy machine, more
REPLY_SECONDS = 120.0


# --- questions ---------------------------------------------------------------------------


def load_questions(path: Path) -> list[dict[str, Any]]:
    """JSON Lines ``{"id", "text", "relevant": [service ids] ([] = not in the catalogue), "lang", "kind"}``."""
    questions: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path.name}:{number}: not valid JSON ({error.msg})") from error
        missing = [name for name in REQUIRED_FIELDS if name not in item]
        if missing or not isinstance(item["relevant"], list) or not str(item["text"]).strip():
            raise ValueError(f"{path.name}:{number}: needs {', '.join(REQUIRED_FIELDS)} (relevant a list)")
        questions.append(item)
    if not questions:
        raise ValueError(f"{path} holds no questions")
    return questions


# --- scoring (pure: tested on hand-made replies) ----------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One question's result. ``outcome`` is right, wrong, asked_back, no_answer, declined or error."""

    id: str
    kind: str
    in_catalogue: bool
    right: bool
    outcome: str
    got: str | None = None  # the service answered: first card (chat) or top hit above threshold (search)
    candidates: tuple[str, ...] = ()  # services offered as quick replies when asking back
    right_offered: bool = False  # asked back, and a relevant service was among the candidates
    language_ok: bool | None = None  # chat only: reply language equals the question's


def _normalised(text: str) -> str:
    return " ".join(str(text).casefold().split())


def title_index(catalogue: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Normalised title (either language) or id -> service id, to recognise quick replies naming a service."""
    index: dict[str, str] = {}
    for service in catalogue:
        index[_normalised(service["id"])] = service["id"]
        for title in service.get("title", {}).values():
            if title:
                index[_normalised(title)] = service["id"]
    return index


def first_card_service(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The ``service_id`` of the first service card in the reply, if any."""
    for message in messages:
        card = message.get("card")
        if message.get("type") == "card" and isinstance(card, Mapping) and card.get("service_id"):
            return str(card["service_id"])
    return None


def _option_service(option: Mapping[str, Any], titles: Mapping[str, str]) -> str | None:
    if option.get("service_id") in titles.values():
        return str(option["service_id"])
    for field in ("payload", "label"):
        value = _normalised(option.get(field) or "")
        if value in titles:
            return titles[value]
    payload = str(option.get("payload") or "")
    if payload.startswith("/") and "{" in payload:  # an intent with entities: /choose{"service_id": "..."}
        with contextlib.suppress(ValueError):
            entities = json.loads(payload[payload.index("{") :])
            for value in entities.values() if isinstance(entities, dict) else ():
                if value in titles.values():
                    return str(value)
    label = _normalised(option.get("label") or "")
    if len(label) >= 40:  # the gateway cuts labels at 80 characters; a long title may be cut
        matches = {sid for title, sid in titles.items() if title.startswith(label)}
        if len(matches) == 1:
            return matches.pop()
    return None


def candidate_services(messages: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> list[str]:
    """Services offered as quick replies, in order, each once (life-event and follow-up buttons name none)."""
    found: dict[str, None] = {}
    for message in messages:
        if message.get("type") != "quick_replies":
            continue
        for option in message.get("options") or []:
            service = _option_service(option, titles)
            if service:
                found.setdefault(service, None)
    return list(found)


def _judge(got: str | None, relevant: set[str], asked_back: bool) -> str:
    if got is not None:
        return "right" if got in relevant else "wrong"  # outside the catalogue every card is wrong
    if asked_back:
        return "asked_back"
    return "no_answer" if relevant else "declined"


def score_chat_reply(
    question: Mapping[str, Any], reply: Mapping[str, Any] | None, titles: Mapping[str, str]
) -> Outcome:
    """Score one ``/api/chat`` response body (None or without messages: the request failed)."""
    relevant = set(question["relevant"])
    qid, kind = str(question["id"]), str(question["kind"])
    if reply is None or not isinstance(reply.get("messages"), list):
        return Outcome(qid, kind, bool(relevant), right=False, outcome="error", language_ok=False)
    messages = reply["messages"]
    card = first_card_service(messages)
    candidates = () if card else tuple(candidate_services(messages, titles))
    outcome = _judge(card, relevant, asked_back=bool(candidates))
    return Outcome(
        qid,
        kind,
        bool(relevant),
        right=outcome == "right" if relevant else card is None,
        outcome=outcome,
        got=card,
        candidates=candidates,
        right_offered=bool(relevant.intersection(candidates)),
        language_ok=reply.get("language") == question["lang"],
    )


def score_search_top(
    question: Mapping[str, Any],
    ranked: Sequence[Sequence[Any]],
    min_score: float,
    referral: Sequence[Any] | None = None,
    referral_margin: float = 0.0,
) -> Outcome:
    """Score the catalogue search's ranked ``[service_id, score]`` pairs: the top one answers if it reaches
    ``min_score``, else the bot would say nothing matched; so it does when the best topic outside the
    catalogue (``[topic_id, score]``, versions that have them) reaches ``min_score`` and comes within
    ``referral_margin`` of the top service (``knowledge.routing.route``)."""
    relevant = set(question["relevant"])
    got = str(ranked[0][0]) if ranked and float(ranked[0][1]) >= min_score else None
    if got is not None and referral and len(referral) > 2:
        if referral[2]:  # the version's own routing referred it
            got = None
    elif got is not None and referral and float(referral[1]) >= max(min_score, float(ranked[0][1]) - referral_margin):
        got = None
    right = got in relevant if relevant else got is None
    outcome = _judge(got, relevant, asked_back=False)
    return Outcome(str(question["id"]), str(question["kind"]), bool(relevant), right, outcome, got=got)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    """The issue's order of kinds, then any others alphabetically."""
    present = set(kinds)
    return [k for k in KIND_LABELS if k in present] + sorted(present - set(KIND_LABELS))


def _cell(group: Sequence[Outcome], counted: str, test: Any) -> dict[str, Any]:
    count = sum(bool(test(o)) for o in group)
    return {"n": len(group), counted: count, "rate": _rate(count, len(group))}


def summarise(outcomes: Sequence[Outcome], asks_back: bool = True) -> dict[str, Any]:
    """Right-first rate per kind, overall (questions in the catalogue), every question, and, where the
    mode has them, ask-back and reply language. ``asks_back`` is False for search, which never asks."""
    by_kind: dict[str, Any] = {}
    for kind in ordered_kinds(o.kind for o in outcomes):
        group = [o for o in outcomes if o.kind == kind]
        by_kind[kind] = _cell(group, "right", lambda o: o.right)
        if asks_back:
            asked = _cell(group, "asked_back", lambda o: o.outcome == "asked_back")
            by_kind[kind] |= {"asked_back": asked["asked_back"], "ask_back_rate": asked["rate"]}
    inside = [o for o in outcomes if o.in_catalogue]
    summary: dict[str, Any] = {
        "by_kind": by_kind,
        "overall": _cell(inside, "right", lambda o: o.right),
        "all_questions": _cell(outcomes, "right", lambda o: o.right),
    }
    if asks_back:
        summary["asked_back"] = _cell(inside, "count", lambda o: o.outcome == "asked_back")
        summary["asked_back"]["offering_the_right_service"] = sum(o.right_offered for o in inside)
    judged = [o for o in outcomes if o.language_ok is not None]
    if judged:
        summary["reply_language"] = _cell(judged, "right", lambda o: o.language_ok)
    summary["outcomes"] = dict(sorted(Counter(o.outcome for o in outcomes).items()))
    summary["errors"] = summary["outcomes"].get("error", 0)
    return summary


# --- the side-by-side table ----------------------------------------------------------------

ROWS = (
    ("overall", "overall: right service first (in the catalogue)", "right"),
    ("all_questions", "every question (outside: no card)", "right"),
    ("asked_back", "asked back instead (in the catalogue)", "count"),
    ("reply_language", "reply language = question language", "right"),
)


def side_by_side(summaries: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per kind, then overall, every question, ask-back and reply language: each version's
    rate and the change (last minus first, from the counts, not the rounded rates).

    ``summaries`` maps version name to :func:`summarise` output, the baseline first, the change last.
    """
    names = list(summaries)
    kinds = ordered_kinds(kind for summary in summaries.values() for kind in summary["by_kind"])
    picks = [(f"by_kind.{kind}", kind, KIND_LABELS.get(kind, kind), "right") for kind in kinds]
    picks += [(key, key, label, counted) for key, label, counted in ROWS]
    rows: list[dict[str, Any]] = []
    for pick, key, label, counted in picks:
        cells = {name: _dig(summary, pick) for name, summary in summaries.items()}
        if all(cell is None for cell in cells.values()):
            continue
        exact = {name: (c[counted] / c["n"] if c and c["n"] else None) for name, c in cells.items()}
        before, after = exact[names[0]], exact[names[-1]]
        sizes = {c["n"] for c in cells.values() if c}
        rows.append(
            {"row": key, "label": label, "n": sizes.pop() if len(sizes) == 1 else None}
            | {name: None if rate is None else round(rate, 4) for name, rate in exact.items()}
            | {"delta": round(after - before, 4) if before is not None and after is not None else None}
            | {"counts": {name: [c[counted], c["n"]] for name, c in cells.items() if c}}
        )
    return rows


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def format_table(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> str:
    """A plain-text table: kind, n, one percentage column per version, change in percentage points."""

    names = list(labels)

    def share(row: Mapping[str, Any], name: str) -> float | None:
        count, n = row.get("counts", {}).get(name) or (0, 0)
        return count / n if n else None

    def percent(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.1f} %"

    def change(row: Mapping[str, Any]) -> str:
        before, after = share(row, names[0]), share(row, names[-1])
        return "—" if before is None or after is None else f"{100 * (after - before):+.1f}"

    headers = ["kind", "n", *labels.values(), "change (pp)"]
    lines = [
        [
            str(row["label"]),
            "" if row["n"] is None else str(row["n"]),
            *(percent(share(row, name)) for name in names),
            change(row),
        ]
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [headers, *lines]) for i in range(len(headers))]

    def render(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([render(headers), "  ".join("-" * w for w in widths), *map(render, lines)])


# --- versions: which tree, which layout ----------------------------------------------------


@dataclass(frozen=True)
class Version:
    name: str  # "baseline" or "change"
    label: str  # what the table calls it
    tree: Path
    commit: str

    @property
    def package(self) -> str:
        return gateway_package(self.tree)


def gateway_package(tree: Path) -> str:
    """The package with the gateway's settings, runtime and command line: ``gateway`` since issue 10,
    ``bot`` before. Found on disk, not by import: an editable install may point elsewhere."""
    for package in ("gateway", "bot"):
        if all((tree / package / f"{module}.py").is_file() for module in ("settings", "runtime", "cli")):
            return package
    raise FileNotFoundError(f"{tree} has neither gateway/ nor bot/ with settings.py, runtime.py and cli.py")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()


@contextlib.contextmanager
def baseline_worktree(ref: str, parent: Path) -> Iterator[Version]:
    """The baseline ref checked out beside the working tree, removed afterwards."""
    commit = _git("rev-parse", "--short", f"{ref}^{{commit}}")
    path = parent / f"baseline-{commit}"
    _git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield Version("baseline", f"main {commit}", path, commit)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)


def working_tree() -> Version:
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return Version("change", f"working tree {commit}{'+' if dirty else ''}", ROOT, commit + ("+" if dirty else ""))


def version_env(tree: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with that tree first on the path and none of our own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITIZENBOT_") and k != "PYTHONPATH"}
    env.update(OFFLINE)
    env["PYTHONPATH"] = str(tree)
    env.update(extra or {})
    return env


def run_worker(version: Version, job: str, questions: Path, workdir: Path) -> dict[str, Any]:
    """Run :func:`worker` in a child process on ``version``'s own code; its JSON result."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"{job}.json"
    env = version_env(
        version.tree,
        {
            "CITIZENBOT_STORE__URL": f"sqlite:///{workdir / 'catalogue.db'}",
            "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{workdir / 'conversations.db'}",
            "CITIZENBOT_SEARCH__INDEX_DIR": str(workdir / "index"),
        },
    )
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", job, "--package", version.package]
    command += ["--questions", str(questions), "--out", str(out)]
    subprocess.run(command, cwd=version.tree, env=env, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def decides_referral(settings: Any, matches: Sequence[Any], referral: Any) -> bool | None:
    """The version's own routing on a topic outside the catalogue (None for versions without one)."""
    try:
        from knowledge.routing import NoMatch, RoutingPolicy, route
    except ImportError:
        return None
    search = settings.search
    policy = RoutingPolicy(
        search.min_score,
        search.ask_back_margin,
        spread=search.ask_back_spread,
        referral_margin=getattr(search, "referral_margin", 0.0),
    )
    decision = route(matches, policy, referral)
    return isinstance(decision, NoMatch) and decision.referral is not None


def worker(job: str, package: str, questions_path: Path, out: Path) -> None:
    """Inside a version's own process: its catalogue (ids and titles) and, for ``search``, the ranked hits."""
    import importlib
    import logging

    logging.basicConfig(level=logging.WARNING)
    from knowledge.catalogue_files import load_seed

    catalogue = [{"id": s.id, "title": {"th": s.title.get("th"), "en": s.title.get("en")}} for s in load_seed()]
    result: dict[str, Any] = {"catalogue": catalogue}
    if job == "search":
        settings = importlib.import_module(f"{package}.settings").Settings()
        runtime = importlib.import_module(f"{package}.runtime").Runtime.create(settings)
        started = time.perf_counter()
        runtime.load_catalogue()
        if runtime.catalogue_error:
            raise SystemExit(f"the catalogue did not load: {runtime.catalogue_error}")
        wait = getattr(runtime.catalogue, "wait_for_classifier", None)  # versions that have one
        if wait is not None:
            wait()  # score as the running bot does once its classifier is trained, not while it trains
        result["index_seconds"] = round(time.perf_counter() - started, 1)
        result["min_score"] = settings.search.min_score
        result["referral_margin"] = getattr(settings.search, "referral_margin", 0.0)
        started = time.perf_counter()
        ranked: dict[str, Any] = {}
        referrals: dict[str, Any] = {}
        lookup = getattr(runtime.catalogue, "lookup", None)  # versions with topics outside the catalogue
        for q in load_questions(questions_path):
            found = lookup(q["text"], k=5) if lookup else None
            matches = found.matches if found else runtime.catalogue.search(q["text"], k=5)
            ranked[str(q["id"])] = [[m.service.id, round(float(m.hit.score), 4)] for m in matches]
            if found and found.referral:
                # Whether the version's own routing would refer the question there instead.
                referred = bool(decides_referral(settings, matches, found.referral))
                referrals[str(q["id"])] = [
                    found.referral.referral.id,
                    round(float(found.referral.hit.score), 4),
                    referred,
                ]
        result["ranked"], result["referrals"] = ranked, referrals
        result["search_seconds"] = round(time.perf_counter() - started, 1)
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- chat mode: a real stack per version ----------------------------------------------------


def model_fingerprint(tree: Path) -> str:
    """What that tree's ``scripts/train_model.py`` says its training inputs are."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); import train_model; print(train_model.fingerprint())"
    done = subprocess.run(
        [sys.executable, "-c", code, str(tree / "scripts")], cwd=tree, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def ensure_model(version: Version, rasa_venv: Path) -> dict[str, Any]:
    """A model trained on exactly this tree's inputs: from the cache, the tree's own models/, or trained now."""
    fingerprint = model_fingerprint(version.tree)
    cache = MODEL_CACHE / fingerprint[:20]
    model, stamp = cache / "citizenbot.tar.gz", cache / "citizenbot.fingerprint"
    info: dict[str, Any] = {"fingerprint": fingerprint[:20], "path": str(model)}

    def current(stamp_path: Path, model_path: Path) -> bool:
        return model_path.is_file() and stamp_path.is_file() and stamp_path.read_text().strip() == fingerprint

    if current(stamp, model):
        return info | {"source": "cache"}
    own_model, own_stamp = (
        version.tree / "models" / "citizenbot.tar.gz",
        version.tree / "models" / "citizenbot.fingerprint",
    )
    if current(own_stamp, own_model):
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy2(own_model, model)
        stamp.write_text(fingerprint + "\n")
        return info | {"source": "the tree's models/"}
    print(f">> {version.label}: training its Rasa model (several minutes)", file=sys.stderr, flush=True)
    started = time.monotonic()
    command = [
        sys.executable,
        str(version.tree / "scripts" / "train_model.py"),
        "--rasa",
        str(rasa_venv / "bin" / "rasa"),
    ]
    command += ["--out", str(cache)]
    done = subprocess.run(command, cwd=version.tree, env=version_env(version.tree), stdout=sys.stderr, check=False)
    if done.returncode != 0 or not current(stamp, model):
        raise RuntimeError(f"{version.label}: training failed (exit {done.returncode})")
    return info | {"source": "trained", "train_seconds": round(time.monotonic() - started)}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _http_json(url: str, body: Mapping[str, Any] | None, timeout: float) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode("utf-8") or "null")
    except urllib.error.HTTPError as error:
        return error.code, None


def _child_pids(pid: int) -> list[int]:
    done = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in done.stdout.split()]


class Stack:
    """One version's Rasa and gateway, started by that version's own ``<package>.cli run``."""

    def __init__(
        self,
        version: Version,
        model: Path,
        workdir: Path,
        rasa_venv: Path,
        extra_env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        """``extra_env``/``extra_args``: more settings and ``run`` options (benchmarks/load.py's scaled set-up)."""
        self.version, self.workdir, self.extra_args = version, workdir, tuple(extra_args)
        self.port, rasa_port = free_port(), free_port()
        self.log_path = workdir / "stack.log"
        self.env = version_env(
            version.tree,
            {
                "CITIZENBOT_GATEWAY__HOST": "127.0.0.1",
                "CITIZENBOT_GATEWAY__PORT": str(self.port),
                "CITIZENBOT_RASA__URL": f"http://127.0.0.1:{rasa_port}",
                "CITIZENBOT_RASA__VENV": str(rasa_venv),
                "CITIZENBOT_RASA__MODEL_PATH": str(model),
                "CITIZENBOT_STORE__URL": f"sqlite:///{workdir / 'catalogue.db'}",
                "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{workdir / 'conversations.db'}",
                "CITIZENBOT_STORE__STAFF_URL": f"sqlite:///{workdir / 'staff.db'}",
                "CITIZENBOT_STORE__REPORTS_URL": f"sqlite:///{workdir / 'reports.db'}",
                "CITIZENBOT_STORE__CITIZENS_URL": f"sqlite:///{workdir / 'citizens.db'}",
                "CITIZENBOT_STORE__REPORT_PHOTOS_DIR": str(workdir / "report_photos"),
                "CITIZENBOT_SEARCH__INDEX_DIR": str(workdir / "index"),
                # Every benchmark conversation comes from one address: the status check's attempt
                # limit (5 per 15 minutes per client) would answer later checks with its cool-down.
                "CITIZENBOT_STATUS_CHECK__ATTEMPTS": "1000000",
                # Likewise the chat's per-address limit (120 a minute): a benchmark sends far more.
                "CITIZENBOT_RATE_LIMITS__CHAT_CLIENT_COUNT": "1000000",
                **(extra_env or {}),
            },
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", f"{self.version.package}.cli", "run", *self.extra_args]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.version.tree,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.version.label}: the stack exited; see {self.log_path}")
            with contextlib.suppress(OSError):
                if _http_json(f"{self.url}/health", None, 5.0)[0] == 200:
                    return
            time.sleep(2.0)
        raise RuntimeError(f"{self.version.label}: not ready after {STARTUP_SECONDS:.0f} s; see {self.log_path}")

    def chat(self, text: str) -> dict[str, Any] | None:
        """One message from a new sender, without ``language``; None when the request failed.

        The sender is one the gateway never issued: a baseline from before issue 13 needs one (and
        starts a conversation with it), a newer gateway starts a new conversation for it all the same."""
        body = {"sender": f"bench-{uuid.uuid4().hex}", "text": text}
        try:
            status, reply = _http_json(f"{self.url}/api/chat", body, REPLY_SECONDS)
        except OSError:
            return None
        return reply if status == 200 and isinstance(reply, dict) else None

    def stop(self) -> None:
        """SIGTERM to the supervisor we started (it stops Rasa and the gateway); then whatever it left."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        children = _child_pids(process.pid)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        for pid in children:  # each child leads its own process group
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def chat_version(
    version: Version, questions: Sequence[Mapping[str, Any]], workdir: Path, rasa_venv: Path, questions_path: Path
) -> tuple[list[Outcome], dict[str, Any]]:
    titles = title_index(run_worker(version, "catalogue", questions_path, workdir)["catalogue"])
    model = ensure_model(version, rasa_venv)
    print(f">> {version.label}: starting Rasa and the gateway", file=sys.stderr, flush=True)
    started = time.monotonic()
    with Stack(version, Path(model["path"]), workdir, rasa_venv) as stack:
        startup = time.monotonic() - started
        stack.chat("สวัสดี")  # the first turn loads lazily; do not charge it to a question
        started = time.monotonic()
        outcomes = []
        for number, question in enumerate(questions, start=1):
            outcomes.append(score_chat_reply(question, stack.chat(question["text"]), titles))
            if number % 50 == 0:
                print(f"   {number}/{len(questions)}", file=sys.stderr, flush=True)
        chatting = time.monotonic() - started
    details = {"model": model, "startup_seconds": round(startup), "chat_seconds": round(chatting)}
    return outcomes, details | {"ms_per_turn": round(1000 * chatting / max(len(questions), 1))}


def search_version(
    version: Version, questions: Sequence[Mapping[str, Any]], workdir: Path, questions_path: Path
) -> tuple[list[Outcome], dict[str, Any]]:
    result = run_worker(version, "search", questions_path, workdir)
    min_score = float(result["min_score"])
    margin, referrals = float(result.get("referral_margin", 0.0)), result.get("referrals", {})
    outcomes = [
        score_search_top(q, result["ranked"].get(str(q["id"]), []), min_score, referrals.get(str(q["id"])), margin)
        for q in questions
    ]
    details = {
        "min_score": min_score,
        "index_seconds": result["index_seconds"],
        "search_seconds": result["search_seconds"],
    }
    return outcomes, details


# --- the run ----------------------------------------------------------------------------


def misses(outcomes: Sequence[Outcome], questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    by_id = {str(q["id"]): q for q in questions}
    return [
        {"id": o.id, "kind": o.kind, "text": by_id[o.id]["text"], "relevant": by_id[o.id]["relevant"]}
        | {"outcome": o.outcome, "got": o.got, "candidates": list(o.candidates)}
        for o in outcomes
        if not o.right
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    questions_path = Path(args.questions).resolve() if args.questions else SPLITS[args.split]
    if args.misses and questions_path == SPLITS["test"].resolve():
        raise SystemExit("--misses is refused on the frozen test split: its errors are never looked at")
    questions = load_questions(questions_path)
    started = time.monotonic()
    report: dict[str, Any] = {
        "mode": args.mode,
        "questions": str(questions_path.relative_to(ROOT) if questions_path.is_relative_to(ROOT) else questions_path),
        "count": len(questions),
        "kinds": dict(Counter(q["kind"] for q in questions)),
        "versions": {},
    }
    with tempfile.TemporaryDirectory(prefix="citizen-kinds-") as tmp, contextlib.ExitStack() as stack:
        versions_to_run = [working_tree()]
        if not args.no_baseline:
            versions_to_run.insert(0, stack.enter_context(baseline_worktree(args.baseline_ref, Path(tmp))))
        for version in versions_to_run:
            print(f">> {version.label} ({version.package}/ layout), {args.mode} mode", file=sys.stderr, flush=True)
            version_started = time.monotonic()
            workdir = Path(tmp) / f"run-{version.name}"
            if args.mode == "chat":
                outcomes, details = chat_version(version, questions, workdir, Path(args.rasa_venv), questions_path)
            else:
                outcomes, details = search_version(version, questions, workdir, questions_path)
            entry: dict[str, Any] = {"label": version.label, "commit": version.commit, "layout": version.package}
            entry |= details | {"seconds": round(time.monotonic() - version_started)}
            entry["summary"] = summarise(outcomes, asks_back=args.mode == "chat")
            if args.misses:
                entry["misses"] = misses(outcomes, questions)
            report["versions"][version.name] = entry
    versions = report["versions"]
    report["table"] = side_by_side({name: v["summary"] for name, v in versions.items()})
    report["seconds"] = round(time.monotonic() - started)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["chat", "search"], default="chat")
    parser.add_argument("--split", choices=sorted(SPLITS), default="test")
    parser.add_argument("--questions", default=None, help="a JSONL file instead of the split")
    parser.add_argument("--baseline-ref", default=DEFAULT_BASELINE, help="git ref to compare against")
    parser.add_argument("--no-baseline", action="store_true", help="only the working tree (a quicker look)")
    parser.add_argument("--rasa-venv", default=str(RASA_VENV), help="the Rasa environment (chat mode)")
    parser.add_argument("--misses", action="store_true", help="list each version's wrong answers (not on test)")
    parser.add_argument("--worker", choices=["catalogue", "search"], help=argparse.SUPPRESS)
    parser.add_argument("--package", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.update({k: os.environ.get(k, v) for k, v in OFFLINE.items()})
    if args.worker:
        worker(args.worker, args.package, Path(args.questions), Path(args.out))
        return 0
    report = run(args)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    labels = {name: v["label"] for name, v in report["versions"].items()}
    print(
        f"\n{report['mode']} mode, {report['count']} questions from {report['questions']}, {report['seconds']} s\n"
        + format_table(report["table"], labels),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
