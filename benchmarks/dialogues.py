"""Multi-turn dialogues through the real bot, scored turn by turn; baseline and working tree side by side.

Turns right, dialogues with every turn right, turns right by turn type: a baseline ref (today's main)
and the working tree in one run.

    .venv/bin/python benchmarks/dialogues.py                          # frozen test split, baseline and working tree
    .venv/bin/python benchmarks/dialogues.py --split dev --misses     # the development split, with its misses
    .venv/bin/python benchmarks/dialogues.py --split dev --no-baseline  # the working tree only

The dialogues are ``tests/data/persona_dialogues/`` (how they were written: its README). Each version
runs on its own code, started the way ``benchmarks/citizen_kinds.py`` starts it (its functions are
used, not copied): the baseline ref in a temporary ``git worktree``, its Rasa model trained or taken
from the cache by fingerprint, its ``<package>.cli run`` on free ports with stores in a temporary
folder. Every dialogue is played turn by turn through ``/api/chat`` from a new sender, as the web
widget does: no ``language`` until a turn presses the language switch, which then sends
``/change_language{"language": ...}`` and ``language`` with every later message (following the reply's
language when the citizen asks for another in words); a pick presses the quick reply whose payload
names the service (or, when there is none, the turn is wrong and the citizen types ``fallback_text``).

A reply answers about a service when it shows its card, or a text whose first line is the service's
title (a follow-up answer about the service in context comes without a card). A field is shown when
the reply contains that service's own text for it (its fees, its documents ...), from the version's
own catalogue. How a turn is judged: ``knowledge.evaluation.dialogues.judge``.

JSON report on stdout; the table and progress on stderr. ``--misses`` lists the wrong turns and is
refused on the frozen test split: its errors are never looked at.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import citizen_kinds as ck  # beside this file: the version, model and stack machinery

if TYPE_CHECKING:  # imported lazily: the worker runs on another tree's code, which may not have it
    from knowledge.evaluation.dialogues import Dialogue, ReplyReading, Verdict

ROOT = ck.ROOT
DIALOGUES_DIR = ROOT / "tests" / "data" / "persona_dialogues"
SPLITS = {"dev": DIALOGUES_DIR / "dev.jsonl", "test": DIALOGUES_DIR / "test.jsonl"}

TYPE_LABELS = {
    "open": "first question about a service",
    "open_vague": "vague first question: asks back",
    "pick": "pressing a service offered",
    "follow_up": "follow-up about the same service",
    "sibling": "a sibling of the service in context",
    "switch": "another service",
    "resume": "back to the service after an interruption",
    "lang_change": "language asked for in words: restated",
    "widget_switch": "widget's language switch: restated",
    "out_of_catalogue": "outside the catalogue mid-dialogue: no card",
    "closing": "thanks, goodbye",
}
TAG_LABELS = {
    "colloquial": "written colloquially",
    "misspelt": "misspelt",
    "codeswitch": "code-switched Thai/English",
    "nospace": "unspaced Thai",
    "lang_change": "language asked for in passing",
}


# --- reading a reply (pure) ----------------------------------------------------------------------


def _text_lines(messages: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for message in messages:
        if message.get("type") in ("text", "quick_replies") and message.get("text"):
            yield str(message["text"])


def titled_service(messages: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> str | None:
    """The service whose title is the first line of a text (how a follow-up answer names its service)."""
    for said in _text_lines(messages):
        service = titles.get(ck._normalised(said.strip().splitlines()[0]))
        if service:
            return service
    return None


def shown_fields(messages: Sequence[Mapping[str, Any]], values: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Which fields' own texts (either language) appear in the reply's texts or its cards."""
    seen: list[str] = list(_text_lines(messages))
    for message in messages:
        card = message.get("card") if message.get("type") == "card" else None
        if isinstance(card, Mapping):
            seen.append(str(card.get("summary") or ""))
            seen += [str(fact.get("value") or "") for fact in card.get("facts") or [] if isinstance(fact, Mapping)]
            seen += [str(doc or "") for doc in card.get("documents") or []]
    blob = ck._normalised("\n".join(seen))
    return frozenset(
        name for name, texts in values.items() if any(ck._normalised(t) in blob for t in texts if str(t).strip())
    )


def read_reply(
    reply: Mapping[str, Any] | None, titles: Mapping[str, str], values: Mapping[str, Mapping[str, Sequence[str]]]
) -> ReplyReading:
    """What the citizen saw: the service answered about, the services offered, the fields shown, the language."""
    from knowledge.evaluation.dialogues import ReplyReading

    messages = reply.get("messages") if reply else None
    if not reply or reply.get("status") != "ok" or not isinstance(messages, list):
        return ReplyReading(ok=False, language=(reply or {}).get("language"))
    service = ck.first_card_service(messages) or titled_service(messages, titles)
    fields = shown_fields(messages, values.get(service, {})) if service else frozenset()
    offered = tuple(ck.candidate_services(messages, titles))
    return ReplyReading(True, reply.get("language"), service, offered, fields)


def quick_reply_for(reply: Mapping[str, Any] | None, service: str, titles: Mapping[str, str]) -> str | None:
    """What the widget sends when the quick reply naming ``service`` is pressed (payload, else label)."""
    for message in (reply or {}).get("messages") or []:
        if message.get("type") != "quick_replies":
            continue
        for option in message.get("options") or []:
            if ck.candidate_services([{"type": "quick_replies", "options": [option]}], titles) == [service]:
                return str(option.get("payload") or option.get("label") or "") or None
    return None


# --- playing a dialogue ------------------------------------------------------------------------


def post(url: str, body: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        status, reply = ck._http_json(f"{url}/api/chat", body, ck.REPLY_SECONDS)
    except OSError:
        return None
    return reply if status == 200 and isinstance(reply, dict) else None


def glimpse(reply: Mapping[str, Any] | None) -> list[str]:
    """A reply in short, for lists of misses: each message's first line, a card as its service id."""
    seen = []
    for message in (reply or {}).get("messages") or []:
        if message.get("type") == "card":
            seen.append(f"[card {(message.get('card') or {}).get('service_id')}]")
        elif message.get("text"):
            seen.append(str(message["text"]).strip().splitlines()[0][:100])
    return seen


def play(
    url: str,
    dialogue: Dialogue,
    titles: Mapping[str, str],
    values: Mapping[str, Mapping[str, Sequence[str]]],
    replies: list[list[str]] | None = None,
) -> list[Verdict]:
    """One dialogue, turn by turn, from one new sender, as the widget sends it; ``replies`` (when
    given) gets each scored turn's reply in short."""
    from knowledge.evaluation.dialogues import NO_QUICK_REPLY, NOT_SENT, judge

    # A made-up first id (a baseline from before issue 13 requires one; a newer gateway issues its own
    # instead), then whatever the gateway answered with, as the widget does.
    sender = f"dialogue-{dialogue.id}-{uuid.uuid4().hex[:12]}"
    choice: str | None = None  # the widget's switch: None until pressed
    last: dict[str, Any] | None = None
    verdicts: list[Verdict] = []

    def send(text: str) -> dict[str, Any] | None:
        nonlocal choice, sender
        body: dict[str, Any] = {"sender": sender, "text": text}
        if choice:
            body["language"] = choice
        reply = post(url, body)
        if reply and isinstance(reply.get("sender"), str) and reply["sender"]:
            sender = reply["sender"]  # the conversation the gateway continues (a new one on the first turn)
        answered = (reply or {}).get("language")
        if choice and answered in ("th", "en") and answered != choice:
            choice = answered  # the citizen asked for the other language in words: the widget follows
        return reply

    for turn in dialogue.turns:
        if turn.action == "pick":
            payload = quick_reply_for(last, str(turn.pick), titles)
            if payload is None:
                verdicts.append(NO_QUICK_REPLY)
                last = send(str(turn.fallback_text))
                if replies is not None:
                    replies.append(["(no such quick reply; typed the fallback)", *glimpse(last)])
                continue
            last = send(payload)
        elif turn.action == "press_language":
            shown = (last or {}).get("language")
            choice = turn.press_language
            if last is None or shown == turn.press_language:
                verdicts.append(NOT_SENT)  # the widget sends nothing: there is nothing to restate
                if replies is not None:
                    replies.append(["(nothing sent)"])
                continue
            last = send(f'/change_language{{"language":"{turn.press_language}"}}')
        else:
            last = send(str(turn.text))
        verdicts.append(judge(turn.expect, read_reply(last, titles, values)))
        if replies is not None:
            replies.append(glimpse(last))
    return verdicts


# --- a version ---------------------------------------------------------------------------------


def worker(out: Path) -> None:
    """Inside a version's own process: its catalogue's ids, titles and the texts of the fields judged."""
    from knowledge.catalogue_files import load_seed

    def both(bilingual: Any) -> list[str]:
        return [str(bilingual.get(lang)) for lang in ("th", "en") if bilingual.get(lang)]

    catalogue = []
    for s in load_seed():
        fields = {
            "documents": [text for doc in s.documents for text in both(doc)],
            "fees": both(s.fees),
            "where": both(s.where_to_apply.description),
            "time": both(s.processing_time),
            "eligibility": both(s.eligibility),
        }
        catalogue.append({"id": s.id, "title": {"th": s.title.get("th"), "en": s.title.get("en")}, "fields": fields})
    out.write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")


def version_catalogue(version: ck.Version, workdir: Path) -> list[dict[str, Any]]:
    """:func:`worker` in a child process on ``version``'s own code."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "dialogue-catalogue.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--out", str(out)]
    subprocess.run(command, cwd=version.tree, env=ck.version_env(version.tree), check=True)
    catalogue: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    return catalogue


def model_is_ready(version: ck.Version) -> bool:
    """Whether :func:`citizen_kinds.ensure_model` would find a model without training one."""
    fingerprint = ck.model_fingerprint(version.tree)
    for folder in (ck.MODEL_CACHE / fingerprint[:20], version.tree / "models"):
        model, stamp = folder / "citizenbot.tar.gz", folder / "citizenbot.fingerprint"
        if model.is_file() and stamp.is_file() and stamp.read_text().strip() == fingerprint:
            return True
    return False


def run_version(
    version: ck.Version, dialogues: Sequence[Dialogue], workdir: Path, args: argparse.Namespace
) -> tuple[list[list[Verdict]], dict[str, Any]]:
    from knowledge.evaluation.dialogues import service_ids

    catalogue = version_catalogue(version, workdir)
    titles = ck.title_index(catalogue)
    values = {s["id"]: s["fields"] for s in catalogue}
    details: dict[str, Any] = {"unknown_services": sorted(service_ids(dialogues) - set(values))}
    if args.no_train and not model_is_ready(version):
        raise SystemExit(f"{version.label}: no trained model for this tree and --no-train was given")
    model = ck.ensure_model(version, Path(args.rasa_venv))
    print(f">> {version.label}: starting Rasa and the gateway", file=sys.stderr, flush=True)
    started = time.monotonic()
    with ck.Stack(version, Path(model["path"]), workdir, Path(args.rasa_venv)) as stack:
        startup = time.monotonic() - started
        post(stack.url, {"sender": f"warm-up-{uuid.uuid4().hex}", "text": "สวัสดี"})  # the first turn loads lazily
        started = time.monotonic()
        verdicts: list[list[Verdict]] = []
        replies: list[list[list[str]]] = []
        for number, dialogue in enumerate(dialogues, start=1):
            replies.append([])
            verdicts.append(play(stack.url, dialogue, titles, values, replies[-1] if args.misses else None))
            if number % 10 == 0:
                print(f"   {number}/{len(dialogues)} dialogues", file=sys.stderr, flush=True)
        chatting = time.monotonic() - started
    turns = sum(len(d.turns) for d in dialogues)
    details |= {"model": model, "startup_seconds": round(startup), "chat_seconds": round(chatting)}
    details["ms_per_turn"] = round(1000 * chatting / max(turns, 1))
    if args.misses:
        details["replies"] = replies
    return verdicts, details


# --- the report ----------------------------------------------------------------------------------


def misses(
    dialogues: Sequence[Dialogue], verdicts: Sequence[Sequence[Verdict]], replies: Sequence[Sequence[list[str]]]
) -> list[dict[str, Any]]:
    """Every wrong turn: what was said and expected, what the reply was read as, the reply in short."""
    from knowledge.evaluation.dialogues import as_mapping

    found = []
    for dialogue, per_dialogue, said_back in zip(dialogues, verdicts, replies, strict=True):
        for number, (turn, verdict) in enumerate(zip(dialogue.turns, per_dialogue, strict=True), start=1):
            if not verdict.right:
                expect = {k: v for k, v in vars(turn.expect).items() if v not in (None, False, ())}
                found.append(
                    {"dialogue": dialogue.id, "turn": number, "type": turn.type, "said": turn.shown}
                    | {"expect": expect}
                    | dict(as_mapping(verdict))
                    | {"reply": said_back[number - 1]}
                )
    return found


def table_rows(summaries: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per figure, each version's counts, the change last minus first (for ``format_table``)."""
    names = list(summaries)
    first = summaries[names[0]]
    picks: list[tuple[str, str]] = [("turns", "turns right"), ("dialogues", "dialogues with every turn right")]
    picks += [(f"by_type.{key}", f"  {TYPE_LABELS.get(key, key)}") for key in first["by_type"]]
    picks += [(f"by_tag.{key}", f"  {TAG_LABELS.get(key, key)}") for key in first["by_tag"]]
    picks += [(f"by_dialogue_lang.{key}", f"  dialogues in {key}") for key in first["by_dialogue_lang"]]
    picks += [("reply_language", "reply language right")]
    rows = []
    for key, label in picks:
        cells = {name: ck._dig(summary, key) for name, summary in summaries.items()}
        if any(cell is None for cell in cells.values()):
            continue
        rates = {name: c["rate"] for name, c in cells.items()}
        before, after = rates[names[0]], rates[names[-1]]
        rows.append(
            {"row": key, "label": label, "n": cells[names[-1]]["n"]}
            | rates
            | {"delta": None if before is None or after is None else round(after - before, 4)}
            | {"counts": {name: [c["right"], c["n"]] for name, c in cells.items()}}
        )
    return rows


def run(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.evaluation.dialogues import load_dialogues, summarise

    path = Path(args.dialogues).resolve() if args.dialogues else SPLITS[args.split].resolve()
    if args.misses and path == SPLITS["test"].resolve():
        raise SystemExit("--misses is refused on the frozen test split: its errors are never looked at")
    dialogues = load_dialogues(path)
    started = time.monotonic()
    report: dict[str, Any] = {
        "dialogues_file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "dialogues": len(dialogues),
        "turns": sum(len(d.turns) for d in dialogues),
        "versions": {},
    }
    with tempfile.TemporaryDirectory(prefix="dialogues-") as tmp:
        baseline_context = (
            contextlib.nullcontext(None) if args.no_baseline else ck.baseline_worktree(args.baseline, Path(tmp))
        )
        with baseline_context as baseline:
            for version in [v for v in (baseline, ck.working_tree()) if v is not None]:
                print(f">> {version.label} ({version.package}/ layout)", file=sys.stderr, flush=True)
                version_started = time.monotonic()
                verdicts, details = run_version(version, dialogues, Path(tmp) / f"run-{version.name}", args)
                entry: dict[str, Any] = {"label": version.label, "commit": version.commit, "layout": version.package}
                entry |= details | {"seconds": round(time.monotonic() - version_started)}
                entry["summary"] = summarise(dialogues, verdicts)
                if args.misses:
                    entry["misses"] = misses(dialogues, verdicts, entry.pop("replies"))
                report["versions"][version.name] = entry
    report["table"] = table_rows({name: v["summary"] for name, v in report["versions"].items()})
    report["seconds"] = round(time.monotonic() - started)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="test")
    parser.add_argument("--dialogues", default=None, help="a JSONL file of dialogues instead of the split")
    parser.add_argument(
        "--baseline", "--baseline-ref", dest="baseline", default=ck.DEFAULT_BASELINE, help="git ref to compare against"
    )
    parser.add_argument("--no-baseline", action="store_true", help="run the working tree only")
    parser.add_argument("--no-train", action="store_true", help="stop instead of training a missing model")
    parser.add_argument("--rasa-venv", default=str(ck.RASA_VENV), help="the Rasa environment")
    parser.add_argument("--misses", action="store_true", help="list each version's wrong turns (not on test)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.update({k: os.environ.get(k, v) for k, v in ck.OFFLINE.items()})
    if args.worker:
        worker(Path(args.out))
        return 0
    report = run(args)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    labels = {name: v["label"] for name, v in report["versions"].items()}
    table = ck.format_table(report["table"], labels)
    if len(labels) == 1:  # one version: no change to show
        lines = table.splitlines()
        cut = len(lines[1].rsplit("  ", 1)[-1]) + 2
        table = "\n".join(line[:-cut] for line in lines)
    print(
        f"\n{report['dialogues']} dialogues, {report['turns']} turns from {report['dialogues_file']},"
        f" {report['seconds']} s\n" + table,
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
