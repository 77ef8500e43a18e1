#!/usr/bin/env bash
# Installs the system packages SelectBench needs on Debian/Ubuntu (run as root or with sudo available).
# Fashion-MNIST comes from the Debian package dataset-fashion-mnist; nothing is downloaded at run time.
set -euo pipefail
packages=(dataset-fashion-mnist fonts-dejavu-core slurm-wlm munge chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
