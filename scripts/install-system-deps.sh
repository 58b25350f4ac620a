#!/usr/bin/env bash
# Install the Debian packages named on the command line, if any is missing.
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "error: missing Debian packages: ${missing[*]}; install them with: apt-get install -y ${missing[*]}" >&2
    exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
