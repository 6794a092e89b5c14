#!/usr/bin/env bash
# Builds with clang + AddressSanitizer + UndefinedBehaviorSanitizer (preset "sanitize") and runs the
# fast tests that read untrusted input: files, configs, checkpoints, N-MNIST, the fuzz regression
# corpora, the CLI robustness checks. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
jobs="$(nproc)"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$jobs" --target eprop eprop_tests fuzz_regression_network_file \
  fuzz_regression_train_config fuzz_regression_nmnist fuzz_regression_checkpoint
ctest --preset sanitize -j "$jobs" \
  -R 'InputLimits|MemoryEstimate|ThreadInvariance\.Bsshslm|DamagedCheckpoint|StateArchive|Checkpoint\.|NetworkFile|TrainConfig|NmnistReader|fuzz_regression|cli_robust|cli_reference_networks|AppendixB'
