#!/usr/bin/env bash
# Runs each libFuzzer harness of tests/fuzz for SECONDS (default 15) on a copy of its corpus, with
# ASan + UBSan (preset "sanitize"; scripts/sanitize.sh builds it). Stops at the first crash and
# leaves the crashing input in build/sanitize/fuzz/<target>/. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
targets=(network_file train_config nmnist checkpoint)
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
for t in "${targets[@]}"; do
  work="build/sanitize/fuzz/$t"
  mkdir -p "$work/corpus"
  cp -n tests/fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null || true
  echo "fuzz_$t: ${seconds} s"
  (cd "$work" && "../../tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=70000 -timeout=20 \
     -rss_limit_mb=4096 -print_final_stats=1 corpus 2>&1 | grep -E "stat::|Done|ERROR|SUMMARY" || true)
  if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
    echo "fuzz_$t found a failing input: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null)"
    exit 1
  fi
done
