#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests and a Thai font so
# Thai renders in screenshots and in the generated LINE rich-menu image.
# Installs only what is missing; needs root (or sudo) and Debian's apt.
set -euo pipefail
wanted=(chromium fonts-thai-tlwg)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: please install: ${missing[*]} (Chromium and a Thai font; Debian/Ubuntu names)" >&2
  exit 1
fi
sudo=""
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"
echo ">> installing ${missing[*]} (apt)"
start=$(date +%s)
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo ">> system packages ready in $(( $(date +%s) - start )) s"
