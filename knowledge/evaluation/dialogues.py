"""Multi-turn dialogues with a machine-checkable right reply per turn, and how a turn is judged.

The files (``tests/data/persona_dialogues/*.jsonl``, one dialogue per line) are read here; what a
reply *showed* is read from the chat API by the benchmark (``benchmarks/dialogues.py``), which hands
each turn's :class:`ReplyReading` to :func:`judge`. Keeping the judging here, apart from the HTTP
shapes, lets it be tested on hand-made readings and keeps one meaning of "a right turn".

A dialogue::

    {"id": "pd-001", "lang": "th"|"en"|"mixed", "persona": "...", "situation": "...",
     "turns": [{"text": "...", "type": "open", "expect": {"service": "id-card-renewal",
                                                         "field": "documents", "lang": "th"}}, ...]}

A turn does one of three things: sends ``text``; presses the quick reply whose payload names the
service ``pick`` (``fallback_text`` is typed instead when no quick reply does, so the dialogue can
go on; the turn is then wrong); or presses the widget's language switch (``press_language``).
Its ``expect`` is one of:

* ``{"service": id, "field": f | null, "lang": l}``: the reply answers about that service (a card,
  or a follow-up answer titled with it), shows ``field`` of it when given, in language ``l``;
* ``{"no_card": true, "lang": l}``: the reply answers about no service (outside the catalogue);
* ``{"ask_back_includes": [ids], "lang": l}``: no service answered, and the services offered as
  quick replies include every id listed;
* ``{"any": true, "lang": l}``: any reply, in language ``l`` (thanks, goodbye).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from knowledge.evaluation.datasets import LANGS, read_json_lines

__all__ = [
    "DIALOGUE_LANGS",
    "FIELDS",
    "NOT_SENT",
    "NO_QUICK_REPLY",
    "TAGS",
    "TURN_TYPES",
    "Dialogue",
    "Expectation",
    "ReplyReading",
    "Turn",
    "Verdict",
    "as_mapping",
    "judge",
    "load_dialogues",
    "service_ids",
    "summarise",
]

Lang = Literal["th", "en"]

# What a turn does in the conversation; the benchmark reports by these.
TURN_TYPES = (
    "open",  # the first question about a service, naming it in the citizen's words
    "open_vague",  # a question that names a family of services, not which one: ask back
    "pick",  # pressing one of the services offered
    "follow_up",  # about the service in context, without naming it again
    "sibling",  # a sibling of the service in context (lost instead of expired, move in after out ...)
    "switch",  # another, unrelated service
    "resume",  # back to the service talked about before an interruption
    "lang_change",  # "please answer in English" in words: the current service again, in that language
    "widget_switch",  # the widget's language switch pressed: the current service again, in that language
    "out_of_catalogue",  # something the catalogue does not cover: no service card
    "closing",  # thanks, goodbye
)
# How a turn is written, where that is its point.
TAGS = ("colloquial", "misspelt", "codeswitch", "nospace", "lang_change")
# The fields a turn may ask about, as the README names them (the catalogue's field in brackets):
# documents, fees, where (where_to_apply), time (processing_time), eligibility.
FIELDS = ("documents", "fees", "where", "time", "eligibility")
DIALOGUE_LANGS = ("th", "en", "mixed")


@dataclass(frozen=True)
class Expectation:
    """What a right reply to a turn is."""

    lang: Lang
    service: str | None = None
    field: str | None = None
    no_card: bool = False
    ask_back_includes: tuple[str, ...] = ()
    any: bool = False

    @property
    def kind(self) -> str:
        """``service``, ``no_card``, ``ask_back`` or ``any``."""
        if self.service:
            return "service"
        if self.no_card:
            return "no_card"
        return "ask_back" if self.ask_back_includes else "any"


@dataclass(frozen=True)
class Turn:
    type: str
    expect: Expectation
    text: str | None = None
    pick: str | None = None
    fallback_text: str | None = None
    press_language: Lang | None = None
    tags: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        """``text``, ``pick`` or ``press_language``."""
        if self.pick:
            return "pick"
        return "press_language" if self.press_language else "text"

    @property
    def shown(self) -> str:
        """What the turn is, in a line (for lists of misses)."""
        if self.pick:
            return f"[pick {self.pick}]"
        if self.press_language:
            return f"[switch to {self.press_language}]"
        return str(self.text)


@dataclass(frozen=True)
class Dialogue:
    id: str
    lang: str
    persona: str
    situation: str
    turns: tuple[Turn, ...]


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"{where}: {problem}")


def _string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _expectation(raw: Any, where: str) -> Expectation:
    if not isinstance(raw, dict):
        raise _fail(where, "'expect' must be an object")
    lang = raw.get("lang")
    if lang not in LANGS:
        raise _fail(where, f"expect.lang must be one of {LANGS}, got {lang!r}")
    kinds = [key for key in ("service", "no_card", "ask_back_includes", "any") if raw.get(key)]
    if len(kinds) != 1:
        raise _fail(where, "expect needs exactly one of 'service', 'no_card', 'ask_back_includes', 'any'")
    unknown = set(raw) - {"lang", "service", "field", "no_card", "ask_back_includes", "any"}
    if unknown:
        raise _fail(where, f"unknown expect keys {sorted(unknown)}")
    field_name = raw.get("field")
    if field_name is not None and (field_name not in FIELDS or not raw.get("service")):
        raise _fail(where, f"expect.field must be null or one of {FIELDS}, with a service")
    ask = raw.get("ask_back_includes") or []
    if not isinstance(ask, list) or not all(_string(s) for s in ask):
        raise _fail(where, "expect.ask_back_includes must be a list of service ids")
    if raw.get("service") is not None and not _string(raw["service"]):
        raise _fail(where, "expect.service must be a service id")
    return Expectation(
        lang=lang,
        service=raw.get("service"),
        field=field_name,
        no_card=bool(raw.get("no_card")),
        ask_back_includes=tuple(ask),
        any=bool(raw.get("any")),
    )


def _turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict):
        raise _fail(where, "a turn must be an object")
    actions = [key for key in ("text", "pick", "press_language") if key in raw]
    if len(actions) != 1:
        raise _fail(where, "a turn needs exactly one of 'text', 'pick', 'press_language'")
    if raw.get("type") not in TURN_TYPES:
        raise _fail(where, f"type must be one of {TURN_TYPES}, got {raw.get('type')!r}")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not set(tags) <= set(TAGS):
        raise _fail(where, f"tags must be a list of {TAGS}")
    if "text" in raw and not _string(raw["text"]):
        raise _fail(where, "'text' must be a non-empty string")
    if "pick" in raw and not (_string(raw["pick"]) and _string(raw.get("fallback_text"))):
        raise _fail(where, "a pick names a service id and has a 'fallback_text'")
    if "press_language" in raw and raw["press_language"] not in LANGS:
        raise _fail(where, f"press_language must be one of {LANGS}")
    return Turn(
        type=raw["type"],
        expect=_expectation(raw.get("expect"), where),
        text=raw.get("text"),
        pick=raw.get("pick"),
        fallback_text=raw.get("fallback_text"),
        press_language=raw.get("press_language"),
        tags=tuple(tags),
    )


def load_dialogues(path: Path | str) -> list[Dialogue]:
    """Every dialogue of a JSON Lines file, checked; ``ValueError`` naming the line and turn otherwise."""
    dialogues: list[Dialogue] = []
    seen: set[str] = set()
    for number, row in read_json_lines(path):
        where = f"{path}:{number}"
        for key in ("id", "persona", "situation"):
            if not _string(row.get(key)):
                raise _fail(where, f"{key!r} must be a non-empty string")
        if row.get("lang") not in DIALOGUE_LANGS:
            raise _fail(where, f"'lang' must be one of {DIALOGUE_LANGS}")
        raw_turns = row.get("turns")
        if not isinstance(raw_turns, list) or not 2 <= len(raw_turns) <= 6:
            raise _fail(where, "'turns' must be a list of 2 to 6 turns")
        turns = tuple(_turn(raw, f"{where} turn {i}") for i, raw in enumerate(raw_turns, start=1))
        if turns[0].action != "text":
            raise _fail(where, "the first turn must send text")
        langs = {turn.expect.lang for turn in turns}
        if row["lang"] != (langs.pop() if len(langs) == 1 else "mixed"):
            raise _fail(where, "'lang' must be the one reply language of every turn, else 'mixed'")
        if row["id"] in seen:
            raise _fail(where, f"duplicate id {row['id']!r}")
        seen.add(row["id"])
        dialogues.append(Dialogue(row["id"], row["lang"], row["persona"], row["situation"], turns))
    if not dialogues:
        raise ValueError(f"{path} holds no dialogues")
    return dialogues


def service_ids(dialogues: Iterable[Dialogue]) -> set[str]:
    """Every service id the dialogues name (expected, offered or picked), to check against a catalogue."""
    ids: set[str] = set()
    for dialogue in dialogues:
        for turn in dialogue.turns:
            ids.update(filter(None, [turn.expect.service, turn.pick, *turn.expect.ask_back_includes]))
    return ids


# --- judging -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyReading:
    """What the citizen saw in one reply, as the benchmark read it from the chat API."""

    ok: bool  # a reply came, with status ok
    language: str | None = None  # the language the reply says it is in
    service: str | None = None  # the service the reply answers about (its card, or a follow-up titled with it)
    offered: tuple[str, ...] = ()  # services offered as quick replies, in order
    fields_shown: frozenset[str] = frozenset()  # which of FIELDS of ``service`` the reply shows


@dataclass(frozen=True)
class Verdict:
    """One turn's result. ``outcome``: right, error, wrong_language, wrong_service, asked_back,
    no_answer, field_not_shown, unrelated_answer, answered_instead, ask_back_incomplete,
    no_quick_reply (nothing to press for a pick) or not_sent (the switch was already on)."""

    right: bool
    outcome: str
    got: str | None = None
    offered: tuple[str, ...] = ()
    language: str | None = None
    language_ok: bool | None = None


NO_QUICK_REPLY = Verdict(False, "no_quick_reply")
NOT_SENT = Verdict(False, "not_sent")


def judge(expect: Expectation, reading: ReplyReading) -> Verdict:
    """Right when the reply does what ``expect`` says; otherwise the first thing that went wrong.
    The language counts on every turn, and is also kept apart (``language_ok``) for the report."""
    if not reading.ok:
        return Verdict(False, "error", language=reading.language, language_ok=False)
    language_ok = reading.language == expect.lang
    problem: str | None = None
    if expect.kind == "service":
        if reading.service is None:
            problem = "asked_back" if reading.offered else "no_answer"
        elif reading.service != expect.service:
            problem = "wrong_service"
        elif expect.field and expect.field not in reading.fields_shown:
            problem = "field_not_shown"
    elif expect.kind == "no_card":
        problem = "unrelated_answer" if reading.service else None
    elif expect.kind == "ask_back":
        if reading.service is not None:
            problem = "answered_instead"
        elif not set(expect.ask_back_includes) <= set(reading.offered):
            problem = "ask_back_incomplete"
    if problem is None and not language_ok:
        problem = "wrong_language"
    return Verdict(problem is None, problem or "right", reading.service, reading.offered, reading.language, language_ok)


# --- the report ----------------------------------------------------------------------------------


def _share(right: int, n: int) -> dict[str, Any]:
    return {"n": n, "right": right, "rate": round(right / n, 4) if n else None}


def _cell(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    return _share(sum(v.right for v in verdicts), len(verdicts))


def _cells(groups: Mapping[str, Sequence[Verdict]], order: Collection[str]) -> dict[str, Any]:
    """Known keys in their order, then any others alphabetically."""
    keys = [k for k in order if k in groups] + sorted(set(groups) - set(order))
    return {key: _cell(groups[key]) for key in keys}


def summarise(dialogues: Sequence[Dialogue], verdicts: Sequence[Sequence[Verdict]]) -> dict[str, Any]:
    """Turns right of all, dialogues with every turn right, and turns right by turn type, by tag, by
    what was expected and by the dialogue's language; reply language on its own; outcomes counted.
    ``verdicts[i][j]`` is turn ``j`` of ``dialogues[i]``."""
    if len(dialogues) != len(verdicts) or any(len(d.turns) != len(v) for d, v in zip(dialogues, verdicts, strict=True)):
        raise ValueError("one verdict per turn of every dialogue")
    flat = [v for per_dialogue in verdicts for v in per_dialogue]
    groups: dict[str, dict[str, list[Verdict]]] = {
        name: defaultdict(list) for name in ("type", "tag", "expectation", "lang")
    }
    for dialogue, per_dialogue in zip(dialogues, verdicts, strict=True):
        for turn, verdict in zip(dialogue.turns, per_dialogue, strict=True):
            groups["type"][turn.type].append(verdict)
            groups["expectation"][turn.expect.kind].append(verdict)
            groups["lang"][dialogue.lang].append(verdict)
            for tag in turn.tags:
                groups["tag"][tag].append(verdict)
    judged = [v for v in flat if v.language_ok is not None]
    return {
        "turns": _cell(flat),
        "dialogues": _share(sum(all(v.right for v in per) for per in verdicts), len(dialogues)),
        "by_type": _cells(groups["type"], TURN_TYPES),
        "by_tag": _cells(groups["tag"], TAGS),
        "by_expectation": _cells(groups["expectation"], ("service", "ask_back", "no_card", "any")),
        "by_dialogue_lang": _cells(groups["lang"], DIALOGUE_LANGS),
        "reply_language": _share(sum(bool(v.language_ok) for v in judged), len(judged)),
        "outcomes": dict(sorted(Counter(v.outcome for v in flat).items())),
    }


def as_mapping(verdict: Verdict) -> Mapping[str, Any]:
    """A verdict as JSON-ready data (for lists of misses)."""
    return {
        "outcome": verdict.outcome,
        "got": verdict.got,
        "offered": list(verdict.offered),
        "language": verdict.language,
    }
