#!/usr/bin/python3
"""Times one whole process (an `eprop` command, as a user runs it) and appends the result to a
JSON-lines file, as the C++ workloads do through EPROP_BENCH_JSON (bench/common/bench_report.h).

usage: bench/run_process.py [--json FILE] --workload NAME [--metrics CSV]
                            [--nest-losses CSV --nest-column COLUMN] [--field KEY=VALUE ...]
                            -- COMMAND [ARG ...]

--json defaults to $EPROP_BENCH_JSON. Measures the wall time, the CPU time (user + system) and
the peak RSS of the process and of everything it waited for (os.wait4's rusage), and the 1-minute
load average before and after. With --metrics (a training run's metrics.csv:
iteration,phase,loss,error,wall_time_s) it adds the first and last training loss, the mean loss
and error of the test iterations and, with --nest-losses, the largest relative deviation from
NEST's per-iteration losses in that CSV column.
Exits with the command's exit status.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time


def load_1min():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def read_rows(path):
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def training_metrics(metrics, nest_losses, nest_column):
    rows = read_rows(metrics)
    train = [r for r in rows if r["phase"] in ("train", "training")]
    test = [r for r in rows if r["phase"] == "test"]
    out = {"iterations": len(rows)}
    if train:
        out["loss_first"] = float(train[0]["loss"])
        out["loss_last"] = float(train[-1]["loss"])
    if test:
        out["test_loss"] = sum(float(r["loss"]) for r in test) / len(test)
        out["test_error"] = sum(float(r["error"]) for r in test) / len(test)
    if nest_losses and os.path.exists(nest_losses):
        nest = {int(r["iteration"]): float(r[nest_column]) for r in read_rows(nest_losses)
                if r.get(nest_column)}
        ours = {int(r["iteration"]): float(r["loss"]) for r in train}
        common = sorted(set(nest) & set(ours))
        if common:
            out["max_rel_dev_nest"] = max(abs(ours[i] - nest[i]) / abs(nest[i]) for i in common)
            out["nest_iterations_compared"] = len(common)
    return out


def main(argv):
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=os.environ.get("EPROP_BENCH_JSON"))
    parser.add_argument("--workload", required=True)
    parser.add_argument("--metrics")
    parser.add_argument("--nest-losses")
    parser.add_argument("--nest-column")
    parser.add_argument("--field", action="append", default=[])
    args = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if not command:
        parser.error("no command after --")
    if not args.json:
        parser.error("--json FILE (or EPROP_BENCH_JSON) is required")
    load_start = load_1min()
    start = time.monotonic()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    result = {"workload": args.workload, "wall_s": wall,
              "cpu_s": usage.ru_utime + usage.ru_stime, "user_s": usage.ru_utime,
              "peak_rss_mib": usage.ru_maxrss / 1024.0, "exit_status": code,
              "load_start": load_start, "load_end": load_1min()}
    for field in args.field:
        key, value = field.split("=", 1)
        result[key] = value
    if code == 0 and args.metrics:
        result.update(training_metrics(args.metrics, args.nest_losses, args.nest_column))
    with open(args.json, "a") as f:
        f.write(json.dumps(result) + "\n")
    print("BENCH " + " ".join(f"{k}={v}" for k, v in result.items()))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
