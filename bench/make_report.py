#!/usr/bin/env python3
"""Writes all of docs/benchmarks.md and its figures from the raw output of run_benchmarks.sh.

Input (the --results directory): runs.jsonl (one line per run: label, command, load, and the
JSON-lines file in which the measuring program wrote its result), machine.txt, micro.json (Google
Benchmark), paper/records.jsonl (`eprop bench` through bench/paper_bench_record.py),
perf_sine.txt / perf_scaling.txt (perf report lines). NEST's numbers come from
bench/nest_baseline.json (../shared/BASELINE.md). Nothing in the report is typed by hand except
the prose; the hand-written analysis lives in bench/analysis.md, which the report links.
"""

import argparse
import json
import math
import os
import re
import shutil
import statistics
import sys
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import paper_bench_record  # noqa: E402  (the paper benchmark's table, shared with its recorder)

with open(os.path.join(HERE, "nest_baseline.json")) as _f:
    NEST = json.load(_f)
NEST_BYTES_PER_SYNAPSE = NEST["bytes_per_synapse"]["value"]
MEMORY_LIMIT_GIB = 24.0
# Issue 15's goals, per workload: speed-up of the whole process over NEST's, and memory.
GOALS = {"sine_train": "50x", "sine_file": "50x", "nmnist_train": "30x (50x), memory <= 1/20"}


def parse_runs(results_dir):
    """Every run of runs.jsonl with its measured values (the program's own JSON)."""
    runs = []
    with open(os.path.join(results_dir, "runs.jsonl")) as f:
        for line in f:
            meta = json.loads(line)
            path = os.path.join(results_dir, meta["result"])
            if not os.path.exists(path):
                continue
            with open(path) as r:
                for result in r:
                    if result.strip():
                        runs.append({**meta, "values": json.loads(result)})
    return runs


def num(run, key, default=float("nan")):
    try:
        return float(run["values"][key])
    except (KeyError, ValueError, TypeError):
        return default


def short_command(command, root):
    if " -- " in command:  # a whole process timed by bench/run_process.py: the process itself
        command = command.split(" -- ", 1)[1]
    command = command.replace(root + "/", "")
    command = re.sub(r"\S*build/[^/\s]+/bench-(?:results|quick)/", "OUT/", command)
    command = re.sub(r"\S*/build/bench/bench/", "build/bench/bench/", command)
    command = re.sub(r"[^\s=]*/shared/", "../shared/", command)
    return command


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e5 or (abs(x) < 1e-3 and x != 0):
        return f"{x:.{digits}g}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:,.{max(0, digits - len(str(int(abs(x)))))}f}"


def fmt_int(x):
    return f"{int(round(x)):,}"


def best(runs, key="simulate_s"):
    """The repetition with the smallest time, and all times."""
    ordered = sorted(runs, key=lambda r: num(r, key))
    return ordered[0], [num(r, key) for r in runs]


def min_median(times):
    """'min / median (n)' of several repetitions."""
    if len(times) == 1:
        return f"**{fmt(times[0])}** (1 run)"
    return f"**{fmt(min(times))}** / {fmt(statistics.median(times))} ({len(times)} runs)"


def loads(runs):
    return ", ".join(str(r["values"].get("load_start", r["load"])) for r in runs)


def machine_info(path):
    info = {}
    with open(path) as f:
        for line in f:
            if ":" in line:
                key, value = line.split(":", 1)
                info[key.strip()] = value.strip()
    return info


def section_machine(info, quick):
    out = ["## Machine and method", ""]
    out += ["| item | value |", "|---|---|"]
    for key in ["date", "cpu", "nproc", "memory", "kernel", "compiler", "commit", "uptime",
                "uptime_end"]:
        if key in info:
            out.append(f"| {key} | `{info[key]}` |")
    out += ["",
            "- Every row below was measured in this one run, at this commit, on this machine; the "
            "1-minute load average at the start of each repetition is given in its row (2 cores: a "
            "load above 2 means other processes ran too: at our priority they took CPU time from "
            "ours, at `nice 19` only what ours left, but they still shared the caches and the "
            "memory bandwidth; bench/analysis.md says what else ran during a run).",
            "- Every workload is its own process. *Whole process* rows time an `eprop` command "
            "from outside (`bench/run_process.py`: wall time, user + system CPU time and peak RSS "
            "of the process), as NEST's were timed with GNU `time`. *simulate* is the wall time "
            "of the simulation calls only (NEST: time inside `nest.Simulate`); *build* is spec "
            "construction plus `eprop::Simulation` construction.",
            f"- Repetitions: {info.get('reps', '?')} of each workload that takes under a minute; "
            "times are given as **min** / median. NEST's own timings on this machine kind vary by "
            "more than 2x between runs (BASELINE.md section 5): its five sine passes are "
            "83.0-121.6 s.",
            "- **NEST was not run in this benchmark run** (no NEST installation on this machine): "
            "its numbers are those of `../shared/BASELINE.md` (NEST 3.10 on the same machine kind, "
            "1 thread unless stated), kept in `bench/nest_baseline.json` with the section each "
            "comes from.",
            ""]
    if quick == "1":
        out += ["**Quick mode** (`--quick`): smallest configuration, for the smoke test only; "
                "these numbers are not comparable with NEST's.", ""]
    return out


WHOLE = [  # workload, NEST entry, title
    ("sine_train", "sine", "sine-wave example (SPEC 11.1), `eprop train sine`"),
    ("sine_file", "sine", "sine-wave example as a network file, `eprop run`"),
    ("lemniscate", "lemniscate", "lemniscate (SPEC 11.5), `eprop train lemniscate`"),
    ("handwriting", "handwriting", "handwriting (SPEC 11.5), `eprop train handwriting`"),
    ("nmnist_train", "nmnist", "N-MNIST (SPEC 11.4), `eprop train nmnist`"),
]


def nest_wall(entry):
    """NEST's whole-process time, or its Simulate time (a lower bound) where that is missing."""
    if "wall_s" in entry:
        return entry["wall_s"], "whole process"
    return min(entry["simulate_s"]), "`Simulate` only: a lower bound"


def parity(b):
    if "max_rel_dev_nest" in b["values"]:
        return (f"{fmt(num(b, 'loss_first'), 6)} -> {fmt(num(b, 'loss_last'), 6)}; max rel. "
                f"deviation from NEST's {fmt_int(num(b, 'nest_iterations_compared'))} losses "
                f"{num(b, 'max_rel_dev_nest'):.2g}")
    if "test_loss" in b["values"]:
        return f"test loss {num(b, 'test_loss'):.4f}, error {num(b, 'test_error'):.2f}"
    return "-"


def section_whole(runs, root, quick):
    """NEST's examples as whole processes on both sides: the headline comparison."""
    group = [r for r in runs if r["label"] == "whole"]
    if not group:
        return []
    out = ["## NEST's examples, whole processes", "",
           "Each row is one command as a user runs it: reading inputs, building, simulating and "
           "writing results all count, as in NEST's GNU `time` of its Python process. Speed-up, "
           "wall = NEST's time / our minimum wall time (and / our median). NEST ran 1 thread and its "
           "CPU time moved with its wall time (BASELINE.md 5), so its wall time is about its CPU "
           "time; ours share 2 cores with the load given, so *speed-up, CPU* (NEST's time / our "
           "minimum CPU time) compares the work done, *speed-up, wall* what this loaded machine "
           "gave.", "",
           "| workload | precision | command | wall (s), min / median | CPU (s), min | peak RSS "
           "(MiB) | load avg | NEST 3.10 (s) | NEST peak RSS (MiB) | speed-up, wall | speed-up, "
           "CPU | memory | goal (issue 15) | losses |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for workload, key, title in WHOLE:
        for precision in ["float", "double"]:
            rows = [r for r in group if r["values"].get("workload") == workload
                    and r["values"].get("precision") == precision]
            if not rows:
                continue
            b, times = best(rows, "wall_s")
            nest = NEST[key]
            nest_s, nest_what = nest_wall(nest)
            speed = (f"**{nest_s / min(times):.1f}x** ({nest_s / statistics.median(times):.1f}x)")
            cpu = min(num(r, "cpu_s") for r in rows)
            speed_cpu = f"{nest_s / cpu:.1f}x"
            mem = f"1/{nest['peak_rss_mib'] / num(b, 'peak_rss_mib'):.1f}"
            if quick:  # a few iterations against NEST's full run: no ratio means anything
                speed = speed_cpu = mem = "(quick run)"
            out.append(
                f"| {title} | {precision} | `{short_command(b['command'], root)}` | "
                f"{min_median(times)} | {fmt(min(num(r, 'cpu_s') for r in rows))} | "
                f"{fmt(num(b, 'peak_rss_mib'))} | {loads(rows)} | {fmt(nest_s)} ({nest_what}) | "
                f"{nest['peak_rss_mib']} | {speed} | {speed_cpu} | {mem} | "
                f"{GOALS.get(workload, '-')} | "
                f"{parity(b)} |")
    out += ["", "NEST: " + "; ".join(f"{NEST[k]['script']} ({NEST[k]['source']})"
                                     for k in ["sine", "lemniscate", "handwriting", "nmnist"]),
            "", "`OUT` is the run's output directory. The network file of the `eprop run` row is "
            "written beforehand by `bench_sine_network_file` (not timed): the sine example's "
            "input spike times and targets, as NEST's script draws them.", ""]
    return out


TASKS = [  # workload of bench/task_benchmarks.sh, NEST entry or None, title
    ("evidence_original", "evidence", "evidence accumulation, original (`_bsshslm_2020`, SPEC 11.3)"),
    ("evidence_eprop_plus", None, "evidence accumulation, e-prop+ (PAPER_EXPERIMENTS 5.2)"),
    ("nmnist_best", None, "N-MNIST `--preset best`"),
    ("nmnist_paper", None, "N-MNIST `--preset paper` (e-prop+, PAPER_EXPERIMENTS 5.3)"),
    ("nmnist_paper_original", None, "N-MNIST `--preset paper_original` (original family)"),
]


def section_tasks(runs, root, quick):
    """The paper's tasks beyond NEST's examples (issue 12): bench/task_benchmarks.sh."""
    group = [r for r in runs if r["label"] == "tasks"]
    if not group:
        return []
    out = ["## The paper's tasks, whole processes (issue 12)", "",
           "`eprop train` as a user runs it (bench/task_benchmarks.sh), float, 1 thread: evidence "
           "accumulation in both families with the example's schedule and NEST's draws, the "
           "N-MNIST presets as shipped on `../shared/data/nmnist-small` (1,000 training, 100 test "
           "samples). Accuracy = 1 - mean error of the test iterations. NEST ran only the original "
           "evidence example (BASELINE.md 4.1, whole process).", "",
           "| workload | command | wall (s), min / median | CPU (s), min | peak RSS (MiB) | "
           "load avg | iterations | loss first -> last (training) | test loss | test accuracy | "
           "NEST 3.10 |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for workload, key, title in TASKS:
        rows = [r for r in group if r["values"].get("workload") == workload]
        if not rows:
            continue
        b, times = best(rows, "wall_s")
        nest = "-"
        if key and not quick:  # a quick run's few iterations are no match for NEST's full run
            n = NEST[key]
            nest = (f"{fmt(n['wall_s'])} s, {n['peak_rss_mib']} MiB, accuracy "
                    f"{100 * (1 - n['test_error']):.0f} %; ours {n['wall_s'] / min(times):.1f}x "
                    f"faster, 1/{n['peak_rss_mib'] / num(b, 'peak_rss_mib'):.1f} memory")
        accuracy = num(b, "test_error")
        out.append(
            f"| {title} | `{short_command(b['command'], root)}` | {min_median(times)} | "
            f"{fmt(min(num(r, 'cpu_s') for r in rows))} | {fmt(num(b, 'peak_rss_mib'))} | "
            f"{loads(rows)} | {fmt(num(b, 'iterations'))} | "
            f"{fmt(num(b, 'loss_first'), 4)} -> {fmt(num(b, 'loss_last'), 4)} | "
            f"{fmt(num(b, 'test_loss'), 4)} | "
            f"{'-' if math.isnan(accuracy) else f'{100 * (1 - accuracy):.0f} %'} | {nest} |")
    return out + [""]


def whole_best(runs, workload, precision):
    rows = [r for r in runs if r["label"] == "whole" and r["values"].get("workload") == workload
            and r["values"].get("precision") == precision]
    return (min(rows, key=lambda r: num(r, "wall_s")), rows) if rows else (None, [])


def section_goals(runs, quick):
    """Issue 15's goals against this run's numbers; the causes of gaps are in bench/analysis.md."""
    if quick:
        return []
    out = ["## Goals of issue 15 in this run", "",
           "| goal | measured | met |", "|---|---|---|"]

    def row(goal, measured, met):
        out.append(f"| {goal} | {measured} | {'yes' if met else '**no**'} |")

    sine, sine_rows = whole_best(runs, "sine_train", "double")
    if sine:
        nest_s, _ = nest_wall(NEST["sine"])
        wall = nest_s / num(sine, "wall_s")
        cpu = nest_s / min(num(r, "cpu_s") for r in sine_rows)
        row("sine example >= 50x NEST, whole process, double, same losses",
            f"{wall:.1f}x by wall time, {cpu:.1f}x by CPU time; losses within "
            f"{num(sine, 'max_rel_dev_nest'):.1g} of NEST's", wall >= 50)
    nmnist, nmnist_rows = whole_best(runs, "nmnist_train", "float")
    if nmnist:
        nest = NEST["nmnist"]
        nest_s, _ = nest_wall(nest)
        wall = nest_s / num(nmnist, "wall_s")
        cpu = nest_s / min(num(r, "cpu_s") for r in nmnist_rows)
        mem = nest["peak_rss_mib"] / num(nmnist, "peak_rss_mib")
        row("N-MNIST >= 30x NEST (goal 50x), whole process",
            f"{wall:.1f}x by wall time, {cpu:.1f}x by CPU time (against NEST's `Simulate` "
            "alone)", wall >= 30)
        row("N-MNIST peak memory <= 1/20 of NEST's", f"1/{mem:.1f}", mem >= 20)
    for _, b, _, _ in scaling_rows(runs):
        if num(b, "neurons") >= 1e5:
            rate = num(b, "syn_events_per_wall_s")
            row(f"random network, {fmt_int(num(b, 'neurons'))} neurons: >= 10^8 synaptic events "
                "per second per core", f"{rate:.3g} per wall second", rate >= 1e8)
    for neurons, threads in sorted(thread_groups(runs).items()):
        if 1 in threads and 2 in threads:
            ratio = (min(num(r, "simulate_s") for r in threads[1]) /
                     min(num(r, "simulate_s") for r in threads[2]))
            row(f"2 threads >= 1.8x one thread on the large networks ({fmt_int(neurons)} "
                "neurons)", f"{ratio:.2f}x (min vs min)", ratio >= 1.8)
    out += ["", "Where a goal is not met, the cause and the remaining gap per workload are in "
            "[bench/analysis.md](../bench/analysis.md), section \"Goals of issue 15\".", ""]
    return out


def section_sine(runs, root):
    sine = [r for r in runs if r["label"] == "sine"]
    if not sine:
        return []
    out = ["## Sine-wave workload (SPEC 11.1)", "",
           "NEST example `eprop_supervised_regression_sine-waves.py`: 100 parrots -> 100 "
           "`eprop_iaf` -> 1 `eprop_readout`, 20,000 e-prop synapses, "
           f"{fmt_int(num(sine[0], 'n_iter'))} iterations of 1,000 ms, 1 thread.", "",
           "| precision | simulate (s), min / median | all repetitions (s) | load avg | CPU (s) | s per "
           "simulated s | build (s) | peak RSS (MiB) | B / synapse | loss first -> last | max rel. "
           "deviation from NEST losses |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for precision in ["float", "double"]:
        group = [r for r in sine if r["values"].get("precision") == precision]
        if not group:
            continue
        b, times = best(group)
        out.append(
            f"| {precision} | {min_median(times)} | "
            f"{', '.join(fmt(t) for t in times)} | {loads(group)} | {fmt(num(b, 'cpu_s'))} | "
            f"{fmt(num(b, 's_per_sim_s'))} | {fmt(num(b, 'build_s'))} | "
            f"{fmt(num(b, 'peak_rss_mib'))} | {fmt(num(b, 'bytes_per_synapse'))} | "
            f"{fmt(num(b, 'loss_first'), 6)} -> {fmt(num(b, 'loss_last'), 6)} | "
            f"{fmt(num(b, 'max_rel_dev_nest'))} |")
    n = NEST["sine"]
    nest_min = min(n["simulate_s"])
    nest_median = statistics.median(n["simulate_s"])
    out.append(
        f"| NEST 3.10 (double) | **{fmt(nest_min)}** (min of {len(n['simulate_s'])}), median "
        f"{fmt(nest_median)} | {', '.join(fmt(t) for t in n['simulate_s'])} | - | - | "
        f"{nest_min / n['sim_s']:.3f} | - | {n['peak_rss_mib']} (Python process) | "
        f"~{NEST_BYTES_PER_SYNAPSE} | {n['loss_first']} -> {n['loss_last']} | - |")
    for precision in ["float", "double"]:
        group = [r for r in sine if r["values"].get("precision") == precision]
        if group and num(group[0], "n_iter") == 200:
            _, times = best(group)
            out += ["", f"Speed-up of the simulation over NEST's `Simulate` ({precision}): "
                    f"**{nest_min / min(times):.1f}x** min vs min, "
                    f"{nest_median / statistics.median(times):.1f}x median vs median. NEST with 2 "
                    f"threads: {n['simulate_2threads_s']} s."]
    out += ["", "Command: `" + short_command(sine[0]["command"], root) + "` (and `double`).",
            "The losses drift from NEST's in float (single precision); the double run's deviation "
            "is the parity check.", ""]
    return out


def section_nmnist(runs, root):
    group = [r for r in runs if r["label"] == "nmnist"]
    if not group:
        return []
    out = ["## N-MNIST workload (SPEC 11.4)", ""]
    if all(str(r["values"].get("skipped")) == "1" for r in group):
        return out + ["Skipped: `../shared/data/nmnist-small` is absent.", ""]
    first = group[0]
    out += ["NEST example `eprop_supervised_classification_neuromorphic_mnist.py` on the real "
            "subset `../shared/data/nmnist-small`: 1,196 parrots -> 150 `eprop_iaf` -> 10 "
            "`eprop_readout`, sparse masks (75 % / 99 % / 0 %), "
            f"{fmt_int(num(first, 'train_iterations'))} training + "
            f"{fmt_int(num(first, 'test_iterations'))} test iterations of "
            f"{fmt_int(num(first, 'group'))} samples x 300 ms, 1 thread.", "",
            "| precision | simulate + evaluate (s) | load avg | CPU (s) | s per simulated s | load + "
            "build (s) | peak RSS (MiB) | e-prop synapses | B / synapse | loss per iteration | "
            "error per iteration |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in group:
        if str(r["values"].get("skipped")) == "1":
            continue
        out.append(
            f"| {r['values']['precision']} | **{fmt(num(r, 'simulate_s'))}** | "
            f"{r['values'].get('load_start')} | {fmt(num(r, 'cpu_s'))} | "
            f"{fmt(num(r, 's_per_sim_s'))} | "
            f"{fmt(num(r, 'build_s'))} | {fmt(num(r, 'peak_rss_mib'))} | "
            f"{fmt_int(num(r, 'eprop_synapses'))} | {fmt(num(r, 'bytes_per_synapse'))} | "
            f"{r['values'].get('loss', '').replace(',', ', ')} | "
            f"{r['values'].get('error', '').replace(',', ', ')} |")
    real = NEST["nmnist"]
    nest_s = min(real["simulate_s"])
    out += [f"| NEST 3.10, 1 thread | **{fmt(nest_s)}** | - | - | {nest_s / real['sim_s']:.3f} | "
            f"- | {real['peak_rss_mib']} | 46,490 | ~{NEST_BYTES_PER_SYNAPSE} | 0.486 ... 0.266 | "
            "0.86 ... 0.34 |",
            f"| NEST 3.10, 4 threads | {fmt(real['simulate_4threads_s'])} | - | - | "
            f"{real['simulate_4threads_s'] / real['sim_s']:.3f} | - | "
            f"{real['peak_rss_4threads_mib']} | | | 0.486 ... 0.268 | 0.86 ... 0.32 |", ""]
    for r in group:
        if str(r["values"].get("skipped")) != "1" and num(r, "train_iterations") == 10:
            out += [f"Speed-up of the simulation over NEST's `Simulate` ({r['values']['precision']}, "
                    f"1 thread each): **{nest_s / num(r, 'simulate_s'):.1f}x**; memory "
                    f"1/{real['peak_rss_mib'] / num(r, 'peak_rss_mib'):.1f}. This workload keeps "
                    "all 12 iterations' input spike lists and records every step; the whole-process "
                    "row `eprop train nmnist` above sets one iteration at a time, as NEST's script "
                    "does.", ""]
    out += ["Command: `" + short_command(first["command"], root) + "` (and `--precision=double`).",
            ""]
    return out


def duration(seconds):
    for unit, factor in [("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)]:
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fit_line(xs, ys):
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - slope * mx, slope


def scaling_rows(runs):
    by_size = {}
    for r in runs:
        if r["label"] in ("scaling", "largest"):
            by_size.setdefault(int(num(r, "neurons")), []).append(r)
    return [(n, *best(group), group) for n, group in sorted(by_size.items())]


def section_scaling(runs, root):
    rows = scaling_rows(runs)
    if not rows:
        return []
    out = ["## Scaling series: random sparse e-prop networks", "",
           "Built with the public API (`bench/common/random_network.h`): N `eprop_iaf` neurons "
           "(V_th 20 mV, tau_m 20 ms, t_ref 2 ms, reset by subtraction), each with a "
           "fixed indegree of 1,000 recurrent `eprop_synapse` connections (800 excitatory, "
           "J = 0.1 mV; 200 inhibitory, -5 J; no autapses), 100 static input synapses "
           "(J_in = 0.9 mV) from 1,000 parrots driven by Poisson `spike_generator`s at 10 Hz, "
           "10 `eprop_readout`s (all-to-all e-prop synapses, random weights) with "
           "`eprop_learning_signal_connection` feedback, constant targets and an open learning "
           "window (non-zero learning signals every step). Gradient descent, eta = 1e-6, one "
           "optimizer call per presynaptic spike; `eprop_isi_trace_cutoff` = "
           "`flush_event_send_interval` = 100 ms. float, 1 thread, dt = 1 ms. The network fires at "
           "about 7 Hz on average for every size (the indegree, not N, sets the input "
           "statistics); the rates of the two halves of the measured window show slow "
           "population-rate fluctuations. The warm-up is simulated but not timed; *synaptic "
           "events* = recurrent spikes x (1,000 + 10 readouts).", "",
           "| neurons | e-prop synapses | B / synapse | synapse MiB | build (s) | warm-up + measured "
           "(ms) | simulate (s), min | all reps (s) | load avg | **wall s per simulated s** | CPU s "
           "per simulated s | rate (Hz), 1st / 2nd half | synaptic events / wall s | history kept "
           "(MiB) | RSS after build (MiB) | RSS at end (MiB) | peak RSS (MiB) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, b, times, group in rows:
        largest = " (largest run)" if b["label"] == "largest" else ""
        out.append(
            f"| {fmt_int(n)}{largest} | {fmt_int(num(b, 'eprop_synapses'))} | "
            f"{fmt(num(b, 'bytes_per_synapse'))} | {fmt(num(b, 'synapse_mib'))} | "
            f"{fmt(num(b, 'build_s'))} | {fmt_int(num(b, 'warmup_ms'))} + {fmt_int(num(b, 'sim_ms'))} | "
            f"{fmt(num(b, 'simulate_s'))} | {', '.join(fmt(t) for t in times)} | {loads(group)} | "
            f"**{fmt(num(b, 's_per_sim_s'))}** | {fmt(num(b, 'cpu_s_per_sim_s'))} | "
            f"{fmt(num(b, 'rate_hz'))} "
            f"({fmt(num(b, 'rate_first_half_hz'))} / {fmt(num(b, 'rate_second_half_hz'))}) | "
            f"{fmt(num(b, 'syn_events_per_wall_s'))} | {fmt(num(b, 'history_mib'))} | "
            f"{fmt(num(b, 'rss_after_build_mib'))} | {fmt(num(b, 'rss_end_mib'))} | "
            f"{fmt(num(b, 'peak_rss_mib'))} |")
    out.append("")
    out += memory_extrapolation(rows)
    out += ["Commands: `" + short_command(rows[0][1]["command"], root) + "` with the sizes above.",
            "", "![wall time per simulated second vs synapses x rate](benchmarks_scaling.png)", ""]
    return out


def memory_extrapolation(rows):
    xs = [num(b, "eprop_synapses") for _, b, _, _ in rows]
    steady = fit_line(xs, [num(b, "rss_end_mib", num(b, "rss_after_build_mib")) for _, b, _, _ in rows])
    peak = fit_line(xs, [num(b, "peak_rss_mib") for _, b, _, _ in rows])
    if steady is None or peak is None:
        return []
    limit = MEMORY_LIMIT_GIB * 1024
    per_neuron = xs[-1] / num(rows[-1][1], "neurons")
    largest_steady = (limit - steady[0]) / steady[1]
    largest_peak = (limit - peak[0]) / peak[1]
    b = rows[-1][1]
    per_syn_time = num(b, "s_per_sim_s") / num(b, "eprop_synapses")
    bps = num(b, "bytes_per_synapse")
    out = ["### How large a network fits in 24 GiB", "",
           f"- `memory_stats()`: **{fmt(bps)} B per e-prop synapse** (target index, weight, "
           "e_bar, cumulative gradient; float; e_bar_reg only with c_reg > 0), against about "
           f"{NEST_BYTES_PER_SYNAPSE} B in NEST.",
           f"- Linear fit of the resident memory at the end of the run over the measured sizes: "
           f"{steady[1] * 2**20:.1f} B per e-prop synapse all included (synapse arrays, static "
           f"input synapses, per-row state, history) + {steady[0]:.0f} MiB. 24 GiB then holds "
           f"**{largest_steady:.3g} e-prop synapses = {largest_steady / per_neuron:,.0f} neurons** "
           "at 1,010 synapses each, once built.",
           f"- Peak RSS (construction streams into the final arrays, so building needs no more "
           f"than running): {peak[1] * 2**20:.0f} B per synapse; the largest network that fits "
           f"in 24 GiB by this fit is "
           f"**{largest_peak:.3g} synapses = {largest_peak / per_neuron:,.0f} neurons**.",
           f"- At the measured {per_syn_time * 1e6:.1f} us of wall time per synapse per simulated "
           f"second ({fmt_int(num(b, 'neurons'))} neurons, 7 Hz), the 24 GiB network would need "
           f"about {per_syn_time * largest_steady / 60:.3g} min per simulated second on one core "
           "with today's engine.", ""]
    return out


def thread_groups(runs):
    """The threads runs by network size: {neurons: {threads: [runs]}}."""
    groups = {}
    for r in runs:
        if r["label"] == "threads":
            groups.setdefault(int(num(r, "neurons")), {}).setdefault(
                int(num(r, "threads")), []).append(r)
    return groups


def section_threads(runs, root):
    groups = thread_groups(runs)
    if not groups:
        return []
    first = next(r for r in runs if r["label"] == "threads")
    out = ["## Threads", "",
           "Random networks (the scaling workload's), warmed up, then measured. The hashes cover "
           "every recurrent spike and every plastic weight.", "",
           "| neurons | e-prop synapses | threads | simulate (s), min | all reps (s) | load avg "
           "| CPU (s), all threads | speed-up | spike hash | weight hash |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    identical = True
    for neurons in sorted(groups):
        base = None
        hashes = set()
        for t in sorted(groups[neurons]):
            b, times = best(groups[neurons][t])
            base = base or num(b, "simulate_s")
            hashes.add((b["values"].get("spike_hash"), b["values"].get("weight_hash")))
            out.append(f"| {fmt_int(neurons)} | {fmt_int(num(b, 'eprop_synapses'))} | {t} "
                       f"| {fmt(num(b, 'simulate_s'))} | {', '.join(fmt(x) for x in times)} | "
                       f"{loads(groups[neurons][t])} | {fmt(num(b, 'cpu_s'))} | "
                       f"**{base / num(b, 'simulate_s'):.2f}x** (goal 1.8x) | "
                       f"`{b['values'].get('spike_hash')}` | `{b['values'].get('weight_hash')}` |")
        identical = identical and len(hashes) == 1
    out += ["", "Results identical across thread counts: **" + ("yes" if identical else "NO")
            + "**. Run with `OMP_WAIT_POLICY=PASSIVE` (threads sleep at the two per-step barriers "
            "instead of spinning). NEST's sine example: "
            f"{NEST['sine']['simulate_2threads_s']} s with 2 threads against "
            f"{statistics.median(NEST['sine']['simulate_s'])} s (median) with 1. Each thread owns half of the target neurons and their synapses, "
            "so it also gathers from only half of the history: a speed-up above 2 means the "
            "per-core working set now fits the caches better (see the analysis). The machine is "
            "shared, so repeat before quoting.", "",
            "Command: `" + short_command(first["command"], root) + "` (and `--threads=2`; "
            "the other size likewise).", ""]
    return out


def section_micro(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        data = json.load(f)
    out = ["## Micro benchmarks (Google Benchmark)", "",
           "`bench_micro` (see `bench/micro/`). Items: surrogate calls, synapse "
           "updates (optimizer), neuron entries (history append), (step, synapse) reads (history "
           "gather), synapse-steps integrated (e-prop event), 1 ms steps (simulation).", "",
           "| benchmark | time per iteration | CPU time | items / s |", "|---|---|---|---|"]
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        ips = b.get("items_per_second")
        out.append(f"| `{b['name']}` | {duration(b['real_time'] * scale)} | "
                   f"{duration(b['cpu_time'] * scale)} | {(f'{ips:.3g}' if ips else '-')} |")
    ctx = data.get("context", {})
    load = ", ".join(f"{x:.2f}" for x in ctx.get("load_avg", []))
    out += ["", f"Context: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, load "
            f"average {load}. Google Benchmark reports items / s from CPU time; with the machine "
            "shared, CPU time is the steadier column. (Its 'library build: "
            f"{ctx.get('library_build_type')}' refers to Debian's libbenchmark package, not to our "
            "code, which is built in Release.)", ""]
    return out


def section_perf(results_dir):
    out = []
    for name, title in [("perf_sine.txt", "sine workload, float, 20 iterations"),
                        ("perf_scaling.txt",
                         "scaling workload, 10,000 neurons, float, 100 ms after 150 ms warm-up")]:
        path = os.path.join(results_dir, name)
        if not os.path.exists(path):
            continue
        rows = []
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*([0-9.]+)%\s+\S+\s+(\S+)\s+\[.\]\s+(.*)", line)
                if m:
                    symbol = re.sub(r"<[^<>]*>", "<>", m.group(3))
                    symbol = re.sub(r"\(.*", "", symbol)[:110]
                    rows.append((float(m.group(1)), m.group(2), symbol))
        if not rows:
            continue
        if not out:
            out = ["## Where the time goes (perf)", "",
                   "`perf record -g` of the simulation phase only (the workloads enable perf "
                   "through its control FIFO after the network is built, "
                   "`EPROP_BENCH_PERF_FIFO`); self time per function, >= 0.5 %.", ""]
        out += [f"### {title}", "", "| self % | object | function |", "|---|---|---|"]
        out += [f"| {p:.1f} | {obj} | `{sym}` |" for p, obj, sym in rows[:15]]
        out.append("")
    return out


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plot", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(7, 5))
    rows = scaling_rows(runs)
    if rows:
        xs = [num(b, "synapses_x_rate") for _, b, _, _ in rows]
        ys = [num(b, "s_per_sim_s") for _, b, _, _ in rows]
        ax.loglog(xs, ys, "o-", label="random e-prop networks (float, 1 thread), wall")
        cpu = [num(b, "cpu_s_per_sim_s") for _, b, _, _ in rows]
        ax.loglog(xs, cpu, "o--", mfc="none", color="C0", alpha=0.6,
                  label="random e-prop networks, CPU time")
        ax.loglog([xs[0], xs[-1]], [ys[0], ys[0] * xs[-1] / xs[0]], ":", color="gray",
                  label="constant cost per synaptic event")
        for (n, _, _, _), x, y in zip(rows, xs, ys):
            ax.annotate(f"N={n:,}", (x, y), textcoords="offset points", xytext=(5, -12),
                        fontsize=8)
    sine_x = 1401108 * 100 / NEST["sine"]["sim_s"]  # NEST's spikes x 100 targets (BASELINE.md)
    for precision, marker in [("float", "s"), ("double", "D")]:
        group = [r for r in runs if r["label"] == "sine" and r["values"].get("precision") == precision]
        if group:
            b, _ = best(group)
            ax.loglog([sine_x], [num(b, "s_per_sim_s")], marker, label=f"sine task, {precision}")
    ax.loglog([sine_x], [min(NEST["sine"]["simulate_s"]) / NEST["sine"]["sim_s"]], "k*",
              markersize=12,
              label="sine task, NEST 3.10 (min of 5)")
    ax.set_xlabel("synapses x firing rate = synaptic events per simulated second")
    ax.set_ylabel("wall time per simulated second (s)")
    ax.set_title("e-prop simulation cost (1 thread)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def section_paper(results_dir, plot_path):
    """The paper benchmark (issue 13) from the records `eprop bench` wrote in this run."""
    path = os.path.join(results_dir, "paper", "records.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    if not records:
        return []
    figure = os.path.join(results_dir, "paper", "bench.png")
    if os.path.exists(figure):
        shutil.copy(figure, plot_path)
    # The section as paper_bench_record.py rendered it: with the runs it could not make and how
    # it chose the in-degree of the largest sizes.
    section_md = os.path.join(results_dir, "paper", "section.md")
    if os.path.exists(section_md):
        with open(section_md) as f:
            text = f.read()
    else:
        text = paper_bench_record.section(
            records, SimpleNamespace(indegree_rec=records[0].get("indegree_rec", 100)))
    sizes = sorted({(r["n_rec"], r["indegree_rec"]) for r in records})
    return [text.rstrip(), "", "Commands: `eprop bench --n-rec N --time T --indegree-rec K "
            "--variants V --out DIR`, one process per variant, for (N, K) = " +
            ", ".join(f"({n:,}, {k})" for n, k in sizes) + " (`bench/paper_bench_record.py`).", ""]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--doc", required=True)
    p.add_argument("--plot", required=True)
    p.add_argument("--paper-plot", required=True)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    root = os.path.dirname(HERE)
    runs = parse_runs(a.results)
    info = machine_info(os.path.join(a.results, "machine.txt"))
    doc_dir = os.path.dirname(os.path.abspath(a.doc))
    analysis = os.path.join(HERE, "analysis.md")
    if doc_dir.startswith(root + os.sep):  # docs/benchmarks.md: a link that works in the repo
        analysis = os.path.relpath(analysis, doc_dir)
    out = ["# Benchmarks", "",
           "Generated in one run by `bench/run_benchmarks.sh" + (" --quick" if a.quick else "") +
           "` (`bench/make_report.py`); do not edit by hand. Every measured number comes from the "
           "JSON that the measuring program wrote in that run (raw output: `" +
           a.results.replace(root + "/", "") + "`); NEST's numbers come from "
           "`bench/nest_baseline.json` (`../shared/BASELINE.md`). Where the time goes, "
           f"instruction counts per event and step, and what was tried: [bench/analysis.md]({analysis}). "
           "Scaling across MPI ranks (strong, weak, N-MNIST, bytes and memory per rank, performance "
           "model): [docs/scaling.md](scaling.md), generated by `bench/scaling/run_scaling.py`.",
           ""]
    out += section_machine(info, info.get("quick", "0"))
    out += section_goals(runs, a.quick)
    out += section_whole(runs, root, a.quick)
    out += section_tasks(runs, root, a.quick)
    out += section_sine(runs, root)
    out += section_nmnist(runs, root)
    from python.report import section_python  # bench/python/report.py (issue 17)
    out += section_python(runs, root, NEST["sine"])
    out += section_scaling(runs, root)
    out += section_threads(runs, root)
    out += section_paper(a.results, a.paper_plot)
    out += section_micro(os.path.join(a.results, "micro.json"))
    out += section_perf(a.results)
    os.makedirs(doc_dir, exist_ok=True)
    with open(a.doc, "w") as f:
        f.write("\n".join(out))
    plot(runs, a.plot)


if __name__ == "__main__":
    main()
