#!/usr/bin/env bash
# Installs the Debian packages Jimu needs when they are missing; without root it prints the command.
# Usage: scripts/system-deps.sh PACKAGE...
set -u
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "jimu: please install these system packages: ${missing[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else
    echo "jimu: missing Debian packages; run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 0
  fi
else
  SUDO=
fi
echo "jimu: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null 2>&1
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
} || { echo "jimu: could not install ${missing[*]}" >&2; exit 1; }
