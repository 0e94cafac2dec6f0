"""Check catalogue YAML files against the schema, with the facts' provenance rules (issue 12).

Content editors run it on the files they changed before handing them in:

    .venv/bin/python scripts/check_seed_facts.py knowledge/seed/services/identity.yaml
    .venv/bin/python scripts/check_seed_facts.py knowledge/seed/services/*.yaml

Every error names the file, the service id and the field (``facts[2].checked``); the exit
status is 1 when any file has an error, 0 otherwise. Warnings (a home page as source, a
``to_verify`` flag on a field that has facts, ``last_reviewed`` earlier than the latest check)
point at what docs/catalogue-facts.md asks for but the schema cannot decide; they do not fail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(_ROOT))

from knowledge.catalogue_files import CatalogueFileError, load_services  # noqa: E402
from knowledge.schema import Service  # noqa: E402


def _is_home_page(url: object) -> bool:
    text = str(url).split("?", 1)[0].split("#", 1)[0]
    path = text.split("://", 1)[-1].partition("/")[2]
    return path.strip("/") in {"", "index.php", "index.html", "main", "home"}


def warnings(service: Service, source: str) -> list[str]:
    """What the format asks for beyond the schema's rules, one line each."""
    where = f"{source}: service {service.id}"
    found: list[str] = []
    if not service.facts:
        found.append(f"{where}: facts: none yet; every fee, fine, deadline, amount and threshold is a fact")
    if _is_home_page(service.source_url):
        found.append(f"{where}: source_url: {service.source_url} is a home page; link the service's own page")
    fact_fields = {fact.field for fact in service.facts}
    for flag in service.to_verify:
        if flag in fact_fields:
            found.append(f"{where}: to_verify: {flag!r} has facts; the facts say what is unverified, drop the flag")
    checks = [fact.checked for fact in service.facts if fact.checked is not None]
    if checks and service.last_reviewed is None:
        found.append(f"{where}: last_reviewed: missing; set it to the latest check ({max(checks).isoformat()})")
    elif checks and service.last_reviewed is not None and service.last_reviewed < max(checks):
        found.append(
            f"{where}: last_reviewed: {service.last_reviewed.isoformat()} is earlier than the latest check "
            f"({max(checks).isoformat()})"
        )
    for position, fact in enumerate(service.facts):
        if fact.source is not None and fact.source.url is not None and _is_home_page(fact.source.url):
            found.append(f"{where}: facts[{position}].source.url: {fact.source.url} is a home page")
        if not fact.verified and not fact.note:
            found.append(f"{where}: facts[{position}].note: say what must be checked and where")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="catalogue YAML/JSON files to check")
    parser.add_argument("--quiet", action="store_true", help="print errors only, no warnings or counts")
    args = parser.parse_args(argv)

    failed = False
    seen: dict[str, Path] = {}
    for path in args.files:
        try:
            services = load_services(path)
        except CatalogueFileError as error:
            failed = True
            print(f"ERROR {error}".replace("\n", "\nERROR "))
            continue
        except OSError as error:
            failed = True
            print(f"ERROR {path}: cannot read ({error.strerror})")
            continue
        for service in services:
            if service.id in seen and seen[service.id] != path:
                failed = True
                print(f"ERROR {path}: service {service.id}: id also used in {seen[service.id]}")
            seen[service.id] = path
            if not args.quiet:
                for line in warnings(service, str(path)):
                    print(f"warning {line}")
        if not args.quiet:
            facts = [fact for service in services for fact in service.facts]
            verified = sum(fact.verified for fact in facts)
            print(f"ok {path}: {len(services)} services, {len(facts)} facts ({verified} verified)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
