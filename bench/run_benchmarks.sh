#!/usr/bin/env bash
# The benchmark suite of issue #6 in one command: builds the benchmarks (Release), runs the micro
# benchmarks and the macro workloads (sine, N-MNIST, scaling series, threads), profiles two
# workloads with perf when it is available, and writes docs/benchmarks.md and
# docs/benchmarks_scaling.png (bench/make_report.py).
#
# usage: bench/run_benchmarks.sh [--quick] [--no-build] [--no-perf] [--build-dir DIR]
#                                [--out-dir DIR] [--reps N]
#
#   --quick      smallest configuration (a couple of minutes); writes the report into the
#                output directory, never into docs/ (used by the bench_quick_smoke CTest test)
#   --no-build   use the binaries already in the build directory
#   --no-perf    skip the perf profiles
#   --build-dir  CMake build directory (default build/bench)
#   --out-dir    raw results and logs (default <build-dir>/bench-results or bench-quick)
#   --reps N     repetitions of the short workloads; the minimum time is reported (default 2)
#
# Timings are measured, never asserted. The machine's load average is recorded with each run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
BUILD=1
PERF=1
REPS=2
BUILD_DIR="$ROOT/build/bench"
OUT_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --no-perf) PERF=0 ;;
    --build-dir) BUILD_DIR=$2; shift ;;
    --out-dir) OUT_DIR=$2; shift ;;
    --reps) REPS=$2; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  OUT_DIR=${OUT_DIR:-$BUILD_DIR/bench-quick}
  DOC="$OUT_DIR/benchmarks.md"
  PLOT="$OUT_DIR/benchmarks_scaling.png"
  REPS=1
  PERF=0
else
  OUT_DIR=${OUT_DIR:-$BUILD_DIR/bench-results}
  DOC="$ROOT/docs/benchmarks.md"
  PLOT="$ROOT/docs/benchmarks_scaling.png"
fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
RESULTS="$OUT_DIR/results.txt"
LOG="$OUT_DIR/log.txt"
: > "$RESULTS"
: > "$LOG"

if [[ $BUILD == 1 ]]; then
  echo "== building (Release) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DEPROP_BUILD_BENCH=ON >> "$LOG"
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target eprop_benchmarks >> "$LOG"
fi
BIN="$BUILD_DIR/bench"
for exe in bench_sine_workload bench_nmnist_workload bench_scaling_workload; do
  if [[ ! -x "$BIN/$exe" ]]; then
    echo "missing $BIN/$exe: build the eprop_benchmarks target first" >&2
    exit 1
  fi
done

SHARED="$ROOT/../shared"
BASELINE_CSV="$SHARED/baseline/nest_baseline_losses.csv"
NMNIST_DATA="$SHARED/data/nmnist-small"

# Machine description for the report.
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "nproc: $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "kernel: $(uname -r)"
  echo "compiler: $(c++ --version | head -1)"
  echo "commit: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "uptime: $(uptime)"
  echo "quick: $QUICK"
  echo "reps: $REPS"
} > "$OUT_DIR/machine.txt"

# run <label> <command...>: records the command and keeps its BENCH lines.
run() {
  local label=$1
  shift
  echo "== $label: $*" | tee -a "$LOG"
  echo "RUN label=$label load=$(cut -d' ' -f1 /proc/loadavg) command=$*" >> "$RESULTS"
  local status=0
  "$@" > "$OUT_DIR/last.out" 2>&1 || status=$?
  cat "$OUT_DIR/last.out" >> "$LOG"
  grep '^BENCH' "$OUT_DIR/last.out" | tee -a "$RESULTS" || true
  if [[ $status != 0 ]]; then
    echo "FAILED ($status): $*" | tee -a "$LOG" >&2
    return "$status"
  fi
}

repeat() {
  local n=$1
  shift
  for ((k = 0; k < n; ++k)); do run "$@"; done
}

if [[ $QUICK == 1 ]]; then
  SINE_ITER=3
  NMNIST_ARGS=(--train=1 --test=1 --group=4)
  SCALING=("1000 50 100")
  THREAD_SIZE="1000 50 100"
  MICRO_ARGS=(--benchmark_min_time=0.01 --benchmark_filter='BM_(Surrogate<float, SurrogateKind::piecewise|PlanRowApply<float|HistoryAppend<float>/100$|EpropEvent<float>/100/10)')
else
  SINE_ITER=200
  NMNIST_ARGS=(--train=10 --test=2 --group=100)
  # neurons, warm-up ms, measured ms
  SCALING=("1000 200 1000" "10000 150 300" "100000 120 100")
  THREAD_SIZE="10000 150 200"
  MICRO_ARGS=(--benchmark_min_time=0.3)
fi

# 1. Micro benchmarks.
if [[ -x "$BIN/bench_micro" ]]; then
  run micro "$BIN/bench_micro" "${MICRO_ARGS[@]}" --benchmark_out="$OUT_DIR/micro.json" \
      --benchmark_out_format=json
else
  echo "bench_micro not built (Google Benchmark missing): skipping micro benchmarks" | tee -a "$LOG"
fi

# 2a. Sine-wave task, float and double.
for precision in float double; do
  repeat "$REPS" sine "$BIN/bench_sine_workload" "$SINE_ITER" "$precision" "$BASELINE_CSV"
done

# 2b. N-MNIST, float and double (skips with a message when the data set is absent).
for precision in float double; do
  run nmnist "$BIN/bench_nmnist_workload" --precision="$precision" --data="$NMNIST_DATA" \
      "${NMNIST_ARGS[@]}"
done

# 2c. Scaling series (float): minimum of REPS runs for the sizes that take under a minute.
for entry in "${SCALING[@]}"; do
  read -r neurons warmup time <<< "$entry"
  reps=$REPS
  if (( neurons >= 100000 )); then reps=1; fi
  repeat "$reps" scaling "$BIN/bench_scaling_workload" --neurons="$neurons" \
      --warmup="$warmup" --time="$time"
done
if [[ $QUICK == 0 ]]; then
  # The largest network that fits: the first size whose estimated peak, about 33 KB per neuron
  # (24 B per e-prop synapse once built, which construction no longer exceeds, plus ~8 KB per
  # neuron of history and interval sums while it runs), leaves 5 GiB of the available memory to
  # the rest of the (shared) machine. Warmed up past the trace cutoff, then 20 ms timed.
  avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  largest=""
  for neurons in 1000000 800000 600000 500000 400000 200000; do
    if (( neurons * 33 * 1000 / 1024 + 5 * 1024 * 1024 <= avail_kb )); then
      largest=$neurons
      break
    fi
  done
  if [[ -n $largest ]]; then
    run largest "$BIN/bench_scaling_workload" --neurons="$largest" --warmup=120 --time=20
  else
    echo "only $((avail_kb / 1024 / 1024)) GiB available: skipping the largest network" | tee -a "$LOG"
  fi
fi

# 2d. Threads: 1 and 2 on the same network; the hashes show identical spikes and weights.
# Threads sleep at the per-step barriers instead of spinning (the machine may be shared).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
read -r neurons warmup time <<< "$THREAD_SIZE"
for threads in 1 2; do
  repeat "$REPS" threads "$BIN/bench_scaling_workload" --neurons="$neurons" --warmup="$warmup" \
      --time="$time" --threads="$threads" --hash-weights
done

# 3. Where the time goes: perf profiles of the simulation phase only (the workloads enable and
# disable perf through its control FIFO around the measured part).
profile() {
  local name=$1
  shift
  local fifo="$OUT_DIR/perf_ctl.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  echo "== perf $name: $*" | tee -a "$LOG"
  EPROP_BENCH_PERF_FIFO="$fifo" perf record -D -1 --control="fifo:$fifo" -g \
      -o "$OUT_DIR/perf_$name.data" "$@" >> "$LOG" 2>&1 || true
  perf report -i "$OUT_DIR/perf_$name.data" --no-children --stdio --percent-limit 0.5 2> /dev/null \
      | grep -E '^ +[0-9.]+%' > "$OUT_DIR/perf_$name.txt" || true
  rm -f "$fifo" "$OUT_DIR/perf_$name.data" "$OUT_DIR/perf_$name.data.old"
}
if [[ $PERF == 1 ]] && command -v perf > /dev/null && perf record -o /dev/null true > /dev/null 2>&1; then
  profile sine "$BIN/bench_sine_workload" 20 float "$BASELINE_CSV"
  profile scaling "$BIN/bench_scaling_workload" --neurons=10000 --warmup=150 --time=100
fi

echo "uptime_end: $(uptime)" >> "$OUT_DIR/machine.txt"
/usr/bin/python3 "$ROOT/bench/make_report.py" --results "$OUT_DIR" --doc "$DOC" --plot "$PLOT" \
    --analysis "$ROOT/bench/analysis.md" $([[ $QUICK == 1 ]] && echo --quick)
echo "== wrote $DOC and $PLOT"
