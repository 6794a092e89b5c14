#!/usr/bin/env python3
"""NEST's sine-wave example (SPEC 11.1) through eprop.nest, timed against NEST's stored run time.

Usage: PYTHONPATH=build/release/python /usr/bin/python3 bench/python/sine_nest.py [N_ITER]
       [--closed-form] [--float]

Prints the wall time of the whole script (draws, Create/Connect, build, Simulate, reading the
recorder), the time inside the engine and the Python-side share, and checks the losses against
../shared/baseline/nest_baseline_losses.csv. With EPROP_BENCH_JSON set (bench/run_benchmarks.sh)
it also writes these numbers there as one JSON object (bench/python/report.py reads them).
"""

import argparse
import csv
import json
import os
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))

import eprop.nest as nest  # noqa: E402
import sine_scripts  # noqa: E402

NEST_SECONDS = (83.0, 103.8)  # BASELINE.md section 2: best and median of 5 runs, 1 thread


def process_seconds():
    """Wall and CPU seconds of this process since it started (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/self/stat") as f:
        start = int(f.read().rsplit(")", 1)[1].split()[19]) / ticks
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start, time.process_time()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n_iter", type=int, nargs="?", default=200)
    ap.add_argument("--closed-form", action="store_true")
    ap.add_argument("--float", action="store_true")
    a = ap.parse_args()

    settings = {}
    if a.closed_form:
        settings["eligibility_integration"] = "closed_form"
    if a.float:
        settings["precision"] = "single"
    original_reset = nest.ResetKernel

    def reset():  # the script calls ResetKernel; keep the chosen engine settings
        original_reset()
        if settings:
            nest.set(**settings)

    nest.ResetKernel = reset
    t0 = time.perf_counter()
    c0 = time.process_time()
    losses = sine_scripts.event_driven(nest, n_iter=a.n_iter, sequence=1000,
                                       optimize_each_step=False, width=1.0 / 33.3,
                                       final_update=True)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    engine = nest._kernel.engine_seconds
    shared = ROOT.parent / "shared" / "baseline" / "nest_baseline_losses.csv"
    rel = -1.0  # no NEST losses to compare with (../shared absent), as the C++ benchmarks say
    if shared.exists():
        with open(shared, newline="") as f:
            rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]
        want = np.array([float(r[1]) for r in rows[:a.n_iter]])
        rel = float(np.max(np.abs(losses - want) / np.abs(want)))
    else:
        print(f"{shared} not found: the losses are not compared with NEST's")
    print(f"iterations {a.n_iter}, integration "
          f"{'closed_form' if a.closed_form else 'stepwise'}, "
          f"{'single' if a.float else 'double'}")
    print(f"wall {total:.2f} s, engine {engine:.2f} s, Python side {total - engine:.2f} s "
          f"({100 * (total - engine) / total:.1f} %)")
    engine_cpu = nest._kernel.engine_cpu_seconds
    print(f"CPU {cpu:.2f} s, engine {engine_cpu:.2f} s, Python side {cpu - engine_cpu:.2f} s "
          f"({100 * (cpu - engine_cpu) / cpu:.1f} %)")
    process_wall, process_cpu = process_seconds()
    print(f"whole process (interpreter start and imports included): wall {process_wall:.2f} s, "
          f"CPU {process_cpu:.2f} s, Python side {process_cpu - engine_cpu:.2f} s "
          f"({100 * (process_cpu - engine_cpu) / process_cpu:.1f} % of CPU)")
    if a.n_iter == 200:
        print(f"NEST {NEST_SECONDS[0]:.0f}-{NEST_SECONDS[1]:.0f} s: "
              f"{NEST_SECONDS[0] / process_wall:.0f}x-{NEST_SECONDS[1] / process_wall:.0f}x "
              f"faster by wall time, {NEST_SECONDS[0] / process_cpu:.0f}x-"
              f"{NEST_SECONDS[1] / process_cpu:.0f}x by CPU time (whole process)")
    if rel >= 0:
        print(f"max relative loss difference to NEST: {rel:.2e}")
    if os.environ.get("EPROP_BENCH_JSON"):
        record = {"n_iter": a.n_iter, "precision": "single" if a.float else "double",
                  "integration": "closed_form" if a.closed_form else "stepwise",
                  "wall_s": total, "cpu_s": cpu, "engine_wall_s": engine,
                  "engine_cpu_s": engine_cpu, "process_wall_s": process_wall,
                  "process_cpu_s": process_cpu, "max_rel_dev_nest": float(rel),
                  "load_start": os.getloadavg()[0]}
        with open(os.environ["EPROP_BENCH_JSON"], "a") as f:
            f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
