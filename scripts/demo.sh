#!/usr/bin/env bash
# Flagship demo: installs the Debian packages, builds eprop, trains NEST's sine-wave e-prop
# example (SPEC 11.1) for a few iterations with NEST's numpy draws (--numpy-compatible), prints
# the loss per iteration next to NEST 3.10's and plots the run.
#
#   bash scripts/demo.sh                      20 iterations (a few seconds of training)
#   DEMO_ITERATIONS=200 bash scripts/demo.sh  the whole NEST example (about 20 s on 2 cores)
#   DEMO_OUT=out/elsewhere bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${DEMO_ITERATIONS:-20}"
out="${DEMO_OUT:-out/sine-demo}"
baseline="../shared/baseline/nest_baseline_losses.csv"

bash scripts/install_deps.sh
bash scripts/build.sh --target eprop
# --numpy-compatible: the same weights, input spikes and target as NEST's script, so that the
# losses can be compared number for number (the default counter-based draws give another task
# instance of the same kind).
build/release/eprop train sine --numpy-compatible --set training.n_iter="$iterations" \
  --out "$out" --overwrite

echo
if [[ -f "$baseline" ]]; then
  echo "loss per iteration (NEST 3.10: $baseline)"
  awk -F, 'NR == FNR { if ($1 ~ /^[0-9]+$/) nest[$1] = $2; next }
           FNR == 1 { printf "%9s  %22s  %22s  %9s\n", "iteration", "eprop", "NEST", "rel. diff"; next }
           { d = ($1 in nest) ? ($3 - nest[$1]) / nest[$1] : 0
             printf "%9d  %22.15f  %22.15f  %9.1e\n", $1, $3, nest[$1], d < 0 ? -d : d }' \
      "$baseline" "$out/metrics.csv"
else
  echo "loss per iteration"
  awk -F, 'FNR > 1 { printf "%9d  %22.15f\n", $1, $3 }' "$out/metrics.csv"
fi
echo
build/release/eprop plot "$out"
