#!/usr/bin/env bash
# Installs dependencies, builds Release and runs every test (C++, CLI, Python), then the
# sanitizer suite (clang, ASan + UBSan, the tests that read untrusted input) and a short fuzz
# smoke run of every libFuzzer harness (15 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
ctest --preset release -j "$(nproc)"
bash scripts/sanitize.sh
bash scripts/fuzz.sh 15
