#!/usr/bin/env bash
# Installs the Debian 12 packages eprop needs. Idempotent: does nothing when all are present.
set -euo pipefail
packages=(g++ cmake make pkg-config libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev
          librandom123-dev libgtest-dev libgmock-dev libbenchmark-dev python3 python3-numpy
          python3-matplotlib python3-dev python3-pytest pybind11-dev
          clang   # clang: scripts/sanitize.sh, scripts/fuzz.sh (libFuzzer)
          libopenmpi-dev openmpi-bin)  # several processes (mpirun); optional for the build
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
