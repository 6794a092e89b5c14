# The paper's tasks beyond NEST's examples as whole `eprop train` processes (issue 12): evidence
# accumulation in both model families and the N-MNIST presets (`paper`, `paper_original`,
# `best`) with their test accuracy, wall and CPU time and peak memory. Sourced by
# bench/run_benchmarks.sh after its section 1 (it uses that script's `process`, `repeat`, `run`,
# $EPROP, $OUT_DIR, $NMNIST_DATA, $QUICK and $REPS); every row is timed by bench/run_process.py,
# which writes the JSON, under the label `tasks` (bench/make_report.py: section_tasks).
#
# The long runs (the presets and e-prop+ evidence train for minutes) run once; the original
# evidence row REPS times.

task_process() {  # task_process <workload> <reps> <eprop train arguments...>
  local workload=$1 reps=$2
  shift 2
  local out="$OUT_DIR/proc/tasks_$workload"
  repeat "$reps" tasks "$PY" "$ROOT/bench/run_process.py" --workload "$workload" \
      --metrics "$out/metrics.csv" --field precision=float -- \
      "$EPROP" train "$@" --precision float --set recording.n_record_rec=1 --out "$out" \
      --overwrite --quiet
}

if [[ $QUICK == 1 ]]; then
  EVIDENCE_ARGS=(--set training.batch_size=2 --set training.n_iter_train=2
                 --set training.n_iter_test=1 --set training.early_stopping=false)
  PRESET_ARGS=(--set training.group_size=4 --set training.n_iter_train=2
               --set training.n_iter_test=1 --set training.early_stopping=false)
  TASK_REPS=1
else
  EVIDENCE_ARGS=()  # the example's schedule: 50 training iterations of 32, early stopping, 4 tests
  PRESET_ARGS=()    # each preset as shipped
  TASK_REPS=$REPS
fi

# The e-prop+ evidence run optimises every step (minutes): once.
task_process evidence_original "$TASK_REPS" evidence --numpy-compatible \
    --set network.family=original "${EVIDENCE_ARGS[@]}"
task_process evidence_eprop_plus 1 evidence --numpy-compatible \
    --set network.family=eprop_plus "${EVIDENCE_ARGS[@]}"
if [[ -d $NMNIST_DATA ]]; then
  for preset in best paper paper_original; do
    task_process "nmnist_$preset" 1 nmnist --preset "$preset" --set data.root="$NMNIST_DATA" \
        "${PRESET_ARGS[@]}"
  done
else
  echo "$NMNIST_DATA absent: skipping the N-MNIST presets" | tee -a "$LOG"
fi
