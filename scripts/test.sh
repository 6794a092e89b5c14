#!/usr/bin/env bash
# Installs dependencies, builds Release and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
ctest --preset release -j "$(nproc)"
