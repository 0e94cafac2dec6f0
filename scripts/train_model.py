"""Train the Rasa model only when its inputs changed.

The fingerprint covers everything training reads: config, domain, training
data, the Rasa environment's lock, and the code of our NLU components: the
``nlu`` modules that config.yml names and every ``nlu`` module they import
(found by reading the imports), so a gateway-only module in ``nlu/`` (e.g. the
personal-data masker) does not retrain the model. An unchanged
fingerprint with the model present means nothing to do, so `make run` starts
in seconds the second time. Runs with any Python 3; calls `rasa` from .venv-rasa.
"""

from __future__ import annotations

import argparse
import ast
import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ["config.yml", "bot/domain", "bot/data", "requirements/rasa.lock"]
PACKAGE = "nlu"


def _component_modules(root: Path) -> set[str]:
    """The ``nlu.*`` modules config.yml names as pipeline components."""
    names: set[str] = set()
    for line in (root / "config.yml").read_text(encoding="utf-8").splitlines():
        _, _, value = line.partition("name:")
        dotted = value.split("#", 1)[0].strip().strip("'\"")
        if dotted.startswith(f"{PACKAGE}."):
            names.add(dotted.rsplit(".", 1)[0])
    return names


def _imported_modules(file: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(f"{PACKAGE}.")}


def nlu_files(root: Path = ROOT) -> list[Path]:
    """The component modules, the package's ``__init__`` and every nlu module they import, transitively."""
    pending = _component_modules(root) | {PACKAGE}
    files: set[Path] = set()
    while pending:
        module = pending.pop()
        path = root.joinpath(*module.split("."))
        file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if not file.is_file() or file in files:
            continue  # a name imported from a module, not a module itself
        files.add(file)
        pending |= _imported_modules(file)
    return sorted(files)


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    files: list[Path] = []
    for entry in INPUTS:
        path = root / entry
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in [*files, *nlu_files(root)]:
        if "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa", default=str(ROOT / ".venv-rasa" / "bin" / "rasa"))
    parser.add_argument("--out", default=str(ROOT / "models"))
    parser.add_argument("--name", default="citizenbot")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # One training at a time: `make test` trains beside the tests that need no model, and a test session
    # or a second `make` that asks meanwhile waits for that model instead of training a second one.
    with (out / f".{args.name}.train-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_if_needed(args, out)


def _train_if_needed(args: argparse.Namespace, out: Path) -> int:
    model = out / f"{args.name}.tar.gz"
    stamp = out / f"{args.name}.fingerprint"
    current = fingerprint()
    if model.exists() and stamp.exists() and stamp.read_text().strip() == current:
        print(f">> model up to date: {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model}")
        return 0

    print(">> training the Rasa model (training data or config changed)", flush=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHAINLP_OFFLINE", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    started = time.monotonic()
    command = [
        args.rasa,
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "bot/data",
        "--out",
        str(out),
        "--fixed-model-name",
        args.name,
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0 or not model.exists():
        print(f"error: rasa train failed (exit {result.returncode})", file=sys.stderr)
        return result.returncode or 1
    stamp.write_text(current + "\n")
    print(f">> trained in {time.monotonic() - started:.0f} s: {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
