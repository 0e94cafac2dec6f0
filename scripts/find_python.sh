#!/usr/bin/env bash
# Print the path of a Python interpreter of the wanted minor version (e.g. 3.10),
# trying PATH, pyenv and the usual install prefixes; explain what to install if none.
set -euo pipefail
want="${1:?usage: find_python.sh 3.10}"

works() { "$1" -c "import sys, venv; assert '%d.%d' % sys.version_info[:2] == '$want'" >/dev/null 2>&1; }

candidates=("python$want")
[[ "$want" == "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)" ]] && candidates+=(python3)
if command -v pyenv >/dev/null 2>&1; then
  for prefix in $(pyenv root 2>/dev/null)/versions/"$want"*; do candidates+=("$prefix/bin/python$want"); done
fi
for prefix in "$HOME"/.pyenv/versions/"$want"* /root/.pyenv/versions/"$want"* /usr/local/bin /usr/bin /opt/python/"$want"*/bin; do
  candidates+=("$prefix/python$want" "$prefix/bin/python$want")
done

for candidate in "${candidates[@]}"; do
  path="$(command -v "$candidate" 2>/dev/null || true)"
  if [[ -n "$path" ]] && works "$path"; then
    "$path" -c 'import sys; print(sys.executable)'  # the real file, not a pyenv shim
    exit 0
  fi
done

cat >&2 <<MSG
error: Python $want was not found, and it is required.
  Rasa 3.6 runs only on Python 3.8-3.10, and the gateway needs 3.11, so this project uses both.
  Install it, then run make again, with one of:
    pyenv install $want          (https://github.com/pyenv/pyenv)
    sudo apt-get install python$want python$want-venv   (Debian/Ubuntu with the deadsnakes PPA)
    uv python install $want
  Or point the Makefile at it: make PYTHON$(echo "$want" | tr -d .)=/path/to/python$want
MSG
exit 1
