"""Build the Rasa lookup table (and Thai regex feature) for the `service` entity from the catalogue.

Writes ``bot/data/nlu/lookups/services.yml``: one ``lookup: service`` table whose
entries are, for every service in ``knowledge/seed/services/*.yaml``,

* its keywords in Thai and English (``keywords.th`` / ``keywords.en``), which are
  the words citizens actually type ("ต่อพาสปอร์ต", "tax disc"), and
* the key noun phrases of its title in both languages: the text before and inside
  brackets, cut at qualifiers ("กรณี…", "สำหรับ…", "within …", "for …") and with
  a leading generic verb removed ("ทำ", "ขอ", "Registering a …", "Getting your …"),
  e.g. "ทำหนังสือเดินทาง (พาสปอร์ต) ครั้งแรก …" gives "ทำหนังสือเดินทาง",
  "หนังสือเดินทาง" and "พาสปอร์ต".

The Thai entries are also written as one ``regex: service_thai`` pattern without word
boundaries, because Rasa puts ``\\b`` around lookup entries and ``\\b`` never matches
inside unsegmented Thai text.

Entries shorter than three letters, entries that start with a digit ("600 บาท")
and generic single words ("registration", "certificate") are left out, because
the RegexFeaturizer would then mark unrelated words. Entries are de-duplicated
case-insensitively and sorted, so the output only changes when the catalogue does.

When a service is added to or edited in the catalogue, rerun:

    python scripts/build_service_lookup.py            # rewrite the lookup file
    python scripts/build_service_lookup.py --check    # exit 1 if it is out of date (CI)

Needs only PyYAML, so it runs in either virtual environment (.venv or .venv-rasa).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "knowledge" / "seed" / "services"
OUT_FILE = ROOT / "bot" / "data" / "nlu" / "lookups" / "services.yml"

_BRACKETS = re.compile(r"\(([^)]*)\)")
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

# Thai: qualifiers that start the part of a title we do not keep.
_TH_CUT = ("กรณี", "สำหรับ", "ภายใน", "เมื่อ", "ทางอินเทอร์เน็ต", "จาก", "ผ่าน", "ที่กรม", "ในประเทศ", "ต่อศาล")
# Thai: generic verbs a title may start with; the rest is the key noun phrase.
_TH_VERBS = (
    "ยื่นคำร้องขอ",
    "ยื่นแบบแสดงรายการ",
    "ยื่นขอ",
    "ขอรับ",
    "ขอมี",
    "ขอคัดและรับรอง",
    "ขอ",
    "ทำ",
    "ลงทะเบียนรับ",
    "สมัครเป็น",
    "สมัครสมาชิก",
    "การ",
)
_TH_TRAILING = ("เล่มใหม่", "ฉบับใหม่", "ใหม่", "ครั้งแรก")
# Bracketed Thai notes that qualify a title rather than name the service.
_TH_NOTE_PREFIXES = ("เดิม", "สายด่วน", "อายุ", "รับใบ", "ใกล้", "ชำรุด", "ที่อยู่", "ไม่ได้", "ระดับ", "ลูกจ้าง")
_TH_MAX_CHARS = 24

# English: qualifiers after which a title only narrows the service down.
_EN_CUT = re.compile(r"\s(?:within|for|after|at|through|with|from|in|when|that|to be|to your|who|under|-)\s.*$")
_EN_VERBS = re.compile(
    r"^(?:registering|getting|applying|renewing|replacing|paying|checking|transferring|filing|claiming|joining|"
    r"enrolling|requesting|changing|updating|moving|adopting|finding|making|recording|removing|legalising|"
    r"repaying|restructuring|converting|marrying|giving|deducting|obtaining|using|taking|buying|selling)"
    r"(?:\s+(?:for|to|into|out of|up|on|in))?\s+"
)
_EN_ARTICLES = re.compile(r"^(?:a|an|the|your|you|one's|someone's|of|and|or)\s+")
_EN_SPLIT = re.compile(r",\s*|\s+or\s+|\s+and\s+")
_EN_MAX_WORDS = 4
# A phrase starting with one of these is a qualifier, not a service ("at age 7", "for jobs").
_EN_NOT_FIRST = frozenset({"at", "as", "for", "formerly", "from", "more", "other", "where"})
# Single words or fragments too generic to point at one service.
_GENERIC = frozenset(
    {
        "adults",
        "advice",
        "allowance",
        "benefit",
        "birth",
        "bury",
        "card",
        "certificate",
        "child",
        "childhood",
        "complaint",
        "copy",
        "court",
        "death",
        "document",
        "documents",
        "employees",
        "flu",
        "help",
        "house",
        "job",
        "licence",
        "license",
        "lost",
        "lump sum",
        "more",
        "reason",
        "rent",
        "replacement",
        "registration",
        "request",
        "sale",
        "someone",
        "stolen",
        "support",
        "tax",
        "translations",
        "university",
        "vaccinated",
        "documents needed to cremate",
        "new one",
        "notification certificate",
        "registered ordinary",
        "right to vote",
        "ขอคัด",
        "ขอคำปรึกษา",
        "ขอเลข",
        "ขอใบอนุญาต",
        "ขนาดย่อม",
        "คัด",
        "คำปรึกษา",
        "เงินสงเคราะห์",
        "ตรวจสอบ",
        "ทะเบียน",
        "ทุน",
        "บริการ",
        "ม.6",
        "ย้ายเข้าในครั้งเดียว",
        "ลงทะเบียน",
        "เลข",
        "สิทธิประโยชน์",
        "ใบอนุญาต",
        "อื่น",
    }
)


def _letters(text: str) -> int:
    return len(_LETTER.findall(text))


def _clean(entry: str) -> str:
    entry = re.sub(r"\s+", " ", entry).strip(" ,.;:-")
    return entry


def _keep(entry: str) -> bool:
    if _letters(entry) < 3 or entry[:1].isdigit():
        return False
    return entry.casefold() not in _GENERIC


def _thai_title_phrases(title: str) -> list[str]:
    """Key phrases of a Thai title: the first chunk of its main text and of each bracketed part."""
    phrases: list[str] = []
    brackets = _BRACKETS.findall(title)
    for index, part in enumerate([title.split("(")[0], *brackets]):
        part = part.strip()
        if index and not _THAI_CHAR.search(part):
            phrases.append(part)  # an English name in a Thai title: "(International Driving Permit)"
            continue
        for marker in _TH_CUT:
            part = part.split(marker)[0]
        for piece in re.split(r"หรือ|และ", part):
            chunk = _clean(piece.strip().split(" ")[0])
            if not chunk or (index and chunk.startswith(_TH_NOTE_PREFIXES)):
                continue
            bare = chunk
            for verb in _TH_VERBS:
                if bare.startswith(verb) and len(bare) > len(verb) + 2:
                    bare = bare[len(verb) :]
                    break
            for tail in _TH_TRAILING:
                if bare.endswith(tail) and len(bare) > len(tail) + 2:
                    bare = bare[: -len(tail)]
                    break
            phrases += [p for p in (chunk, _clean(bare)) if len(p) <= _TH_MAX_CHARS]
    return phrases


def _strip_english(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _EN_VERBS.sub("", text.strip())
        text = _EN_ARTICLES.sub("", text)
    return text


def _english_title_phrases(title: str) -> list[str]:
    """Key noun phrases of an English title, lower-cased, without the leading verb."""
    phrases: list[str] = []
    for part in [title.split("(")[0], *_BRACKETS.findall(title)]:
        text = _EN_CUT.sub("", _strip_english(part.lower()))
        for piece in _EN_SPLIT.split(text):
            piece = _clean(_strip_english(piece))
            words = piece.split()
            if words and len(words) <= _EN_MAX_WORDS and words[0] not in _EN_NOT_FIRST:
                phrases.append(piece)
    return phrases


def service_entries(service: dict) -> list[str]:
    """All lookup entries contributed by one catalogue service (unsorted, may repeat)."""
    title = service.get("title") or {}
    keywords = service.get("keywords") or {}
    entries: list[str] = []
    entries += [str(word) for word in keywords.get("th") or []]
    entries += [str(word) for word in keywords.get("en") or []]
    entries += _thai_title_phrases(str(title.get("th", "")))
    entries += _english_title_phrases(str(title.get("en", "")))
    return [_clean(entry) for entry in entries]


def load_catalogue(seed_dir: Path) -> list[dict]:
    services: list[dict] = []
    for path in sorted(seed_dir.glob("*.y*ml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(raw, dict) and "services" in raw:
            raw = raw["services"]
        if not isinstance(raw, list):
            raise SystemExit(f"{path}: expected a list of services")
        services += [item for item in raw if isinstance(item, dict)]
    return services


def build_entries(services: Iterable[dict]) -> list[str]:
    seen: dict[str, str] = {}
    for service in services:
        for entry in service_entries(service):
            if _keep(entry):
                seen.setdefault(entry.casefold(), entry)
    # Thai first, then Latin; each alphabetically, so diffs stay readable.
    return sorted(seen.values(), key=lambda e: (not _THAI_CHAR.search(e), e.casefold()))


def thai_regex(entries: list[str]) -> str:
    """One alternation of the entries that contain Thai, longest first, with no word boundaries.

    Rasa wraps lookup entries in ``\\b``, which never matches inside unsegmented Thai
    ("ต่ออายุบัตรประชาชนต้องใช้อะไร"); a regex feature is used as written, so Thai
    entries also get this pattern. Latin entries keep the lookup's word boundaries
    (without them "vat" would match "private").
    """
    thai = sorted({e for e in entries if _THAI_CHAR.search(e)}, key=lambda e: (-len(e), e))
    return "(?:" + "|".join(re.escape(e) for e in thai) + ")"


def render(entries: list[str], service_count: int) -> str:
    lines = [
        "# GENERATED by scripts/build_service_lookup.py from knowledge/seed/services/*.yaml",
        f"# ({service_count} services, {len(entries)} entries). Do not edit by hand: edit the",
        "# catalogue (titles, keywords) and rerun `python scripts/build_service_lookup.py`.",
        "# `lookup: service` lists every entry (matched with word boundaries, so it works",
        "# for English); `regex: service_thai` repeats the Thai entries without boundaries.",
        'version: "3.1"',
        "nlu:",
        "  - lookup: service",
        "    examples: |",
    ]
    lines += [f"      - {entry}" for entry in entries]
    lines += ["  - regex: service_thai", "    examples: |", f"      - {thai_regex(entries)}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR, help="catalogue folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT_FILE, help="lookup file to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    args = parser.parse_args(argv)

    services = load_catalogue(args.seed_dir)
    if not services:
        print(f"error: no services found in {args.seed_dir}", file=sys.stderr)
        return 1
    text = render(build_entries(services), len(services))
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
    if args.check:
        if current != text:
            print(f"{args.out} is out of date: run python scripts/build_service_lookup.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if current != text:
        args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(services)} services)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
