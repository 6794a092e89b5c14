#!/usr/bin/env bash
# Flagship demo: installs the Debian packages, builds eprop and trains NEST's sine-wave e-prop
# example (SPEC 11.1) twice:
#
#  1. parity: NEST's example exactly as shipped (200 iterations, NEST's numpy draws through
#     --numpy-compatible, double precision, closed-form eligibility integration, which gives NEST's
#     losses to ~1e-15 here); prints our loss beside NEST 3.10's and the time beside
#     NEST's stored time on this machine kind (../shared/BASELINE.md);
#  2. learning: the same network and task with a 33x larger learning rate (NEST's example learns
#     slowly: 107.7 -> 75.7 in 200 iterations), so that the readout visibly follows the target;
#     writes plots to $DEMO_OUT/learning/plots.
#
#   bash scripts/demo.sh                      both parts (about 20 s of training on 2 cores)
#   DEMO_ITERATIONS=50 bash scripts/demo.sh   shorter
#   DEMO_OUT=out/elsewhere bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${DEMO_ITERATIONS:-200}"
out="${DEMO_OUT:-out/sine-demo}"
baseline="../shared/baseline/nest_baseline_losses.csv"
# NEST 3.10's whole process for this example on this machine kind, 1 thread (BASELINE.md, table 3).
nest_wall_s=85.4
learning_eta=3e-6

bash scripts/install_deps.sh
bash scripts/build.sh --target eprop
eprop=build/release/eprop

seconds() { date +%s.%N; }

echo
echo "== 1/2 parity: NEST's sine-wave example, $iterations iterations, NEST's draws, double =="
t0=$(seconds)
"$eprop" train sine --numpy-compatible --precision double --integration closed_form \
  --set training.n_iter="$iterations" --out "$out/parity" --overwrite --quiet
parity_s=$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')

if [[ -f "$baseline" ]]; then
  echo "loss per iteration (NEST 3.10: $baseline), every 20th row shown"
  awk -F, 'NR == FNR { if ($1 ~ /^[0-9]+$/) nest[$1] = $2; next }
           FNR == 1 { printf "%9s  %20s  %20s  %9s\n", "iteration", "eprop", "NEST", "rel. diff"; next }
           { d = ($1 in nest) ? ($3 - nest[$1]) / nest[$1] : 0; d = d < 0 ? -d : d
             if (d > worst) worst = d
             if ($1 == 1 || $1 % 20 == 0)
               printf "%9d  %20.13f  %20.13f  %9.1e\n", $1, $3, nest[$1], d }
           END { printf "largest relative difference over all %d iterations: %.1e\n", FNR - 1, worst }' \
      "$baseline" "$out/parity/metrics.csv"
else
  echo "(../shared/baseline absent: NEST's losses not shown)"
  awk -F, 'FNR > 1 && ($1 == 1 || $1 % 20 == 0) { printf "%9d  %20.13f\n", $1, $3 }' \
      "$out/parity/metrics.csv"
fi

echo
echo "== 2/2 learning: same task, eta = $learning_eta (NEST's example: 9e-8), $iterations iterations =="
t0=$(seconds)
"$eprop" train sine --numpy-compatible --integration closed_form --set optimizer.eta="$learning_eta" \
  --set training.n_iter="$iterations" --out "$out/learning" --overwrite --quiet
learning_s=$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')
"$eprop" plot "$out/learning"
"$eprop" plot "$out/parity" >/dev/null

first_loss=$(awk -F, 'FNR == 2 { print $3 }' "$out/learning/metrics.csv")
last_loss=$(awk -F, 'END { print $3 }' "$out/learning/metrics.csv")
echo
echo "== summary =="
awk -v n="$iterations" -v t="$parity_s" -v nest="$nest_wall_s" -v a="$first_loss" -v b="$last_loss" \
    -v tl="$learning_s" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "parity    %d iterations in %.1f s (whole process, load average %s); NEST 3.10: %.1f s for 200\n", n, t, load, nest
  printf "          on this machine kind, 1 thread: %.0fx faster\n", nest * n / 200 / t
  printf "learning  loss %.2f -> %.2f (%.0f %% of the first) in %.1f s\n", a, b, 100 * b / a, tl }'
echo "plots: $out/learning/plots/dynamics_last.png (readout vs target), training.png (loss);"
echo "       $out/parity/plots/ (NEST's settings)"
