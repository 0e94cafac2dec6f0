"""Write the gateway's OpenAPI document to docs/openapi.json (or check it is current).

The checked-in document is the contract that integrators read and that schemathesis tests
the running gateway against (tests/gateway/test_openapi_contract.py). Run this after changing
a route: ``.venv/bin/python scripts/export_openapi.py``; ``--check`` exits 1 when it is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.app import create_app  # noqa: E402
from gateway.settings import Settings  # noqa: E402

DOCUMENT = ROOT / "docs" / "openapi.json"


def current_document() -> str:
    """The document as the code describes it; settings do not change the routes."""
    schema = create_app(Settings(environment="development")).openapi()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/openapi.json is not current")
    args = parser.parse_args()
    document = current_document()
    if args.check:
        stale = not DOCUMENT.exists() or DOCUMENT.read_text(encoding="utf-8") != document
        if stale:
            print(f"{DOCUMENT.relative_to(ROOT)} is stale: run scripts/export_openapi.py", file=sys.stderr)
        return 1 if stale else 0
    DOCUMENT.write_text(document, encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
