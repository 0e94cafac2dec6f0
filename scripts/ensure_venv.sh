#!/usr/bin/env bash
# Create or refresh a virtual environment from a lock file, only when it is
# missing or the lock (or the interpreter) changed since the last install.
# usage: ensure_venv.sh VENV_DIR PYTHON LOCK_FILE [EDITABLE_DIR]
set -euo pipefail
venv="$1"; python="$2"; lock="$3"; editable="${4:-}"
stamp="$venv/.citizenbot-lock.sha256"
fingerprint_inputs() {
  sha256sum "$lock"
  "$python" -c 'import sys; print(sys.version)'
  if [[ -n "$editable" ]]; then
    # Only the packaging parts of pyproject.toml matter here, not lint or test settings.
    "$python" -c 'import json, sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
print(json.dumps([d["project"], d.get("tool", {}).get("setuptools")], sort_keys=True))' "$editable/pyproject.toml"
  fi
}
fingerprint="$(fingerprint_inputs | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$fingerprint" && -x "$venv/bin/python" ]]; then
  exit 0
fi

# This machine's pip configuration names local mirrors that may be empty; keep
# its harmless "is ignored" warnings out of the output, keep real errors.
pip_quiet() {
  "$venv/bin/python" -m pip "$@" --quiet --disable-pip-version-check 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

echo ">> setting up $venv from $lock (first run or requirements changed; takes a few minutes)"
start=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
pip_quiet install --upgrade "pip<27"
# torch: the lock names the CPU build (torch==2.13.0+cpu). Outside this project's
# machines add:  --extra-index-url https://download.pytorch.org/whl/cpu
pip_quiet install -r "$lock"
if [[ -n "$editable" ]]; then
  pip_quiet install --no-deps -e "$editable"
fi
echo "$fingerprint" > "$stamp"
echo ">> $venv ready in $(( $(date +%s) - start )) s"
