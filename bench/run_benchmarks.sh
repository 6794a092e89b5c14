#!/usr/bin/env bash
# The benchmark report in one command (issue 15): builds the benchmarks and `eprop` (Release),
# runs NEST's examples as whole `eprop` processes (sine, lemniscate, handwriting, N-MNIST), the
# macro workloads (sine, N-MNIST, scaling series, threads), the micro benchmarks and the paper
# benchmark (`eprop bench`), profiles two workloads with perf when it is available, and writes all
# of docs/benchmarks.md, docs/benchmarks_scaling.png and docs/benchmarks_paper.png
# (bench/make_report.py). Every measured number in the report comes from the JSON that the
# measuring program wrote (EPROP_BENCH_JSON, bench/run_process.py, Google Benchmark, `eprop bench`);
# NEST's numbers come from bench/nest_baseline.json (../shared/BASELINE.md).
#
# usage: bench/run_benchmarks.sh [--quick] [--no-build] [--no-perf] [--no-largest]
#                                [--build-dir DIR] [--out-dir DIR] [--reps N]
#                                [--paper-sizes "N:T ..."]
#
#   --quick        smallest configuration (a couple of minutes); writes the report into the
#                  output directory, never into docs/ (used by the bench_quick_smoke CTest test)
#   --no-build     use the binaries already in the build directory
#   --no-perf      skip the perf profiles
#   --no-largest   skip the largest network that fits the machine's free memory
#   --build-dir    CMake build directory (default build/bench)
#   --out-dir      raw results and logs (default <build-dir>/bench-results or bench-quick)
#   --reps N       repetitions of each workload that takes under a minute; the report gives
#                  the minimum and the median (default 3)
#   --paper-sizes  n_rec:time_ms[:variants[:in-degree]] of the paper benchmark (default
#                  "1000:1000 10000:500 100000:200", recurrent in-degree 229; with the largest
#                  networks also 10^6 neurons and 2*10^6 in e-prop+ and static, at 229 and at
#                  the largest in-degree that fits the memory: bench/paper_bench_record.py)
#
# Timings are measured, never asserted. The machine's load average is recorded with each run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
BUILD=1
PERF=1
LARGEST=1
REPS=3
PAPER_SIZES=""
PAPER_INDEGREE=229
BUILD_DIR="$ROOT/build/bench"
OUT_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --no-perf) PERF=0 ;;
    --no-largest) LARGEST=0 ;;
    --build-dir) BUILD_DIR=$2; shift ;;
    --out-dir) OUT_DIR=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --paper-sizes) PAPER_SIZES=$2; shift ;;
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  OUT_DIR=${OUT_DIR:-$BUILD_DIR/bench-quick}
  DOC="$OUT_DIR/benchmarks.md"
  PLOT="$OUT_DIR/benchmarks_scaling.png"
  PAPER_PLOT="$OUT_DIR/benchmarks_paper.png"
  REPS=1
  PERF=0
  LARGEST=0
  PAPER_SIZES=${PAPER_SIZES:-"1000:50"}
else
  OUT_DIR=${OUT_DIR:-$BUILD_DIR/bench-results}
  DOC="$ROOT/docs/benchmarks.md"
  PLOT="$ROOT/docs/benchmarks_scaling.png"
  PAPER_PLOT="$ROOT/docs/benchmarks_paper.png"
fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
# Raw results: one JSON object per run in runs.jsonl (label, command, load, the file the program
# wrote its result to), the results themselves in runs/, the programs' output in log.txt.
rm -rf "$OUT_DIR/runs" "$OUT_DIR/paper" "$OUT_DIR/proc"
mkdir -p "$OUT_DIR/runs" "$OUT_DIR/proc"
RUNS="$OUT_DIR/runs.jsonl"
LOG="$OUT_DIR/log.txt"
: > "$RUNS"
: > "$LOG"

if [[ $BUILD == 1 ]]; then
  echo "== building (Release) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DEPROP_BUILD_BENCH=ON >> "$LOG"
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target eprop_benchmarks eprop >> "$LOG"
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target eprop_python >> "$LOG" 2>&1 ||
    echo "eprop_python not built: the eprop.nest benchmark is skipped" | tee -a "$LOG"
fi
BIN="$BUILD_DIR/bench"
EPROP="$BUILD_DIR/eprop"
for exe in "$BIN/bench_sine_workload" "$BIN/bench_nmnist_workload" "$BIN/bench_scaling_workload" \
           "$BIN/bench_sine_network_file" "$EPROP"; do
  if [[ ! -x "$exe" ]]; then
    echo "missing $exe: build the eprop_benchmarks and eprop targets first" >&2
    exit 1
  fi
done

SHARED="$ROOT/../shared"
BASELINE_CSV="$SHARED/baseline/nest_baseline_losses.csv"
NMNIST_DATA="$SHARED/data/nmnist-small"
PY=/usr/bin/python3

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

json_string() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# run <label> <command...>: runs the command with EPROP_BENCH_JSON pointing at a fresh file and
# records label, command, load and that file in runs.jsonl.
RUN_INDEX=0
FAILURES=0
run() {
  local label=$1
  shift
  RUN_INDEX=$((RUN_INDEX + 1))
  local result
  result=runs/$(printf '%03d' "$RUN_INDEX")_$label.jsonl
  echo "== $label: $*" | tee -a "$LOG"
  printf '{"label": %s, "load": %s, "command": %s, "result": %s}\n' "$(json_string "$label")" \
      "$(cut -d' ' -f1 /proc/loadavg)" "$(json_string "$*")" "$(json_string "$result")" >> "$RUNS"
  local status=0
  EPROP_BENCH_JSON="$OUT_DIR/$result" "$@" > "$OUT_DIR/last.out" 2>&1 || status=$?
  cat "$OUT_DIR/last.out" >> "$LOG"
  grep '^BENCH' "$OUT_DIR/last.out" || true
  if [[ $status != 0 ]]; then
    # Recorded and reported; the other workloads still run, and the script fails at the end.
    echo "FAILED ($status): $*" | tee -a "$LOG" >&2
    FAILURES=$((FAILURES + 1))
  fi
}

repeat() {
  local n=$1
  shift
  for ((k = 0; k < n; ++k)); do run "$@"; done
}

# process <label> <workload> [run_process.py options] -- <command...>: a whole process, timed from
# outside (bench/run_process.py), REPS times.
process() {
  local label=$1
  shift
  repeat "$REPS" "$label" "$PY" "$ROOT/bench/run_process.py" --workload "$@"
}

if [[ $QUICK == 1 ]]; then
  SINE_ITER=3
  PATTERN_ITER=2
  NMNIST_ARGS=(--train=1 --test=1 --group=4)
  NMNIST_TRAIN=(--set training.n_iter_train=1 --set training.n_iter_test=1
                --set training.group_size=4)
  SCALING=("1000 50 100")
  THREAD_SIZES=("1000 50 100")
  MICRO_ARGS=(--benchmark_min_time=0.01 --benchmark_filter='BM_(Surrogate<float, SurrogateKind::piecewise|PlanRowApply<float|HistoryAppend<float>/100$|EpropEvent<float>/100/10)')
else
  SINE_ITER=200
  PATTERN_ITER=200
  NMNIST_ARGS=(--train=10 --test=2 --group=100)
  NMNIST_TRAIN=(--set training.n_iter_train=10 --set training.n_iter_test=2)
  # neurons, warm-up ms, measured ms
  SCALING=("1000 200 1000" "10000 150 300" "100000 120 100")
  THREAD_SIZES=("10000 150 200" "100000 120 100")
  MICRO_ARGS=(--benchmark_min_time=0.3)
  if [[ -z $PAPER_SIZES ]]; then
    PAPER_SIZES="1000:1000 10000:500 100000:200"
    # The paper's largest size (2*10^6, e-prop+ against static) at the series' in-degree and at
    # the largest in-degree that fits the machine's memory.
    [[ $LARGEST == 1 ]] && PAPER_SIZES+=" 1000000:100 2000000:100:eprop_plus,static
                                          2000000:100:eprop_plus,static:max"
  fi
fi

# 0. Threads: 1 and 2 on the same network; the hashes show identical spikes and weights. First,
# as it needs both cores: whatever else starts on the machine later disturbs it least.
# Threads sleep at the per-step barriers instead of spinning (the machine may be shared).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
for entry in "${THREAD_SIZES[@]}"; do
  read -r neurons warmup time <<< "$entry"
  reps=$REPS
  if (( neurons >= 100000 )); then reps=1; fi
  for threads in 1 2; do
    repeat "$reps" threads "$BIN/bench_scaling_workload" --neurons="$neurons" \
        --warmup="$warmup" --time="$time" --threads="$threads" --hash-weights
  done
done

# 1. NEST's examples as whole processes, as a user runs them (reading inputs and writing results
# count), against NEST's whole process.
process whole sine_train --metrics "$OUT_DIR/proc/sine/metrics.csv" \
    --nest-losses "$BASELINE_CSV" --nest-column sine --field precision=double -- \
    "$EPROP" train sine --numpy-compatible --precision double --integration closed_form \
    --set training.n_iter="$SINE_ITER" --out "$OUT_DIR/proc/sine" --overwrite --quiet
"$BIN/bench_sine_network_file" "$OUT_DIR/proc/sine.toml" "$SINE_ITER" double >> "$LOG"
process whole sine_file --field precision=double -- \
    "$EPROP" run "$OUT_DIR/proc/sine.toml" --out "$OUT_DIR/proc/sine_file" --overwrite -q
for task in lemniscate handwriting; do
  data=()
  if [[ $task == handwriting ]]; then
    if [[ ! -d $SHARED/data/nest-examples ]]; then
      echo "$SHARED/data/nest-examples absent: skipping eprop train handwriting" | tee -a "$LOG"
      continue
    fi
    data=(--set data.root="$SHARED/data/nest-examples")
  fi
  process whole "$task" --metrics "$OUT_DIR/proc/$task/metrics.csv" \
      --nest-losses "$BASELINE_CSV" --nest-column "${task}_bsshslm" --field precision=double -- \
      "$EPROP" train "$task" --numpy-compatible --set training.n_iter="$PATTERN_ITER" \
      --set recording.n_record_rec=1 "${data[@]}" --out "$OUT_DIR/proc/$task" --overwrite --quiet
done
if [[ -d $NMNIST_DATA ]]; then
  # float: closed-form integration (the fast path); double: NEST's stepwise loop, which equals
  # NEST's 1-thread run number for number (docs/user/training.md).
  for precision in float double; do
    integration=closed_form
    [[ $precision == double ]] && integration=stepwise
    process whole nmnist_train --metrics "$OUT_DIR/proc/nmnist_$precision/metrics.csv" \
        --field precision="$precision" --field integration="$integration" -- \
        "$EPROP" train nmnist --numpy-compatible --precision "$precision" \
        --integration "$integration" \
        --set data.root="$NMNIST_DATA" "${NMNIST_TRAIN[@]}" \
        --out "$OUT_DIR/proc/nmnist_$precision" --overwrite --quiet
  done
else
  echo "$NMNIST_DATA absent: skipping eprop train nmnist" | tee -a "$LOG"
fi

# 1b. The paper's other tasks (issue 12): evidence accumulation in both families, N-MNIST presets.
# shellcheck source=bench/task_benchmarks.sh
source "$ROOT/bench/task_benchmarks.sh"

# 2. Micro benchmarks.
if [[ -x "$BIN/bench_micro" ]]; then
  run micro "$BIN/bench_micro" "${MICRO_ARGS[@]}" --benchmark_out="$OUT_DIR/micro.json" \
      --benchmark_out_format=json
else
  echo "bench_micro not built (Google Benchmark missing): skipping micro benchmarks" | tee -a "$LOG"
fi

# 3a. Sine-wave task inside one process (simulation time only), float and double.
for precision in float double; do
  repeat "$REPS" sine "$BIN/bench_sine_workload" "$SINE_ITER" "$precision" "$BASELINE_CSV"
done

# 3x. NEST's sine example through eprop.nest (issue 17): the whole Python script, NEST's numbers
# (stepwise, double) and the fast path (closed form); skipped without the Python module.
if compgen -G "$BUILD_DIR/python/eprop/_eprop*.so" > /dev/null; then
  for flags in "" "--closed-form"; do
    # shellcheck disable=SC2086
    repeat "$REPS" python_sine env PYTHONPATH="$BUILD_DIR/python" "$PY" \
        "$ROOT/bench/python/sine_nest.py" "$SINE_ITER" $flags
  done
else
  echo "$BUILD_DIR/python: no eprop module (target eprop_python): skipping eprop.nest" | tee -a "$LOG"
fi

# 3b. N-MNIST, float and double (skips with a message when the data set is absent).
for precision in float double; do
  run nmnist "$BIN/bench_nmnist_workload" --precision="$precision" --data="$NMNIST_DATA" \
      "${NMNIST_ARGS[@]}"
done

# 3c. Scaling series (float): REPS runs for the sizes that take under a minute.
for entry in "${SCALING[@]}"; do
  read -r neurons warmup time <<< "$entry"
  reps=$REPS
  if (( neurons >= 100000 )); then reps=1; fi
  repeat "$reps" scaling "$BIN/bench_scaling_workload" --neurons="$neurons" \
      --warmup="$warmup" --time="$time"
done
if [[ $LARGEST == 1 ]]; then
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


# 4. The paper benchmark (PAPER_EXPERIMENTS 6.1): `eprop bench`, four variants per size, each in
# its own process; records in paper/records.jsonl.
echo "== paper: eprop bench --sizes $PAPER_SIZES" | tee -a "$LOG"
# shellcheck disable=SC2086
"$PY" "$ROOT/bench/paper_bench_record.py" "$EPROP" --out "$OUT_DIR/paper" --sizes $PAPER_SIZES \
    --indegree-rec "$PAPER_INDEGREE" >> "$LOG" 2>&1 || echo "paper benchmark failed (see $LOG)" | tee -a "$LOG" >&2

# 5. Where the time goes: perf profiles of the simulation phase only (the workloads enable and
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
rm -f "$OUT_DIR"/perf_*.txt
if [[ $PERF == 1 ]] && command -v perf > /dev/null && perf record -o "$OUT_DIR/perf_probe.data" true > /dev/null 2>&1; then
  rm -f "$OUT_DIR/perf_probe.data"
  profile sine "$BIN/bench_sine_workload" 20 float "$BASELINE_CSV"
  profile scaling "$BIN/bench_scaling_workload" --neurons=10000 --warmup=150 --time=100
fi

echo "uptime_end: $(uptime)" >> "$OUT_DIR/machine.txt"
"$PY" "$ROOT/bench/make_report.py" --results "$OUT_DIR" --doc "$DOC" --plot "$PLOT" \
    --paper-plot "$PAPER_PLOT" $([[ $QUICK == 1 ]] && echo --quick)
echo "== wrote $DOC, $PLOT and $PAPER_PLOT"
if (( FAILURES > 0 )); then
  echo "$FAILURES run(s) failed: see $LOG" >&2
  exit 1
fi
