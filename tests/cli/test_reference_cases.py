#!/usr/bin/python3
"""`eprop run` end to end on NEST's reference cases of SPEC_recording (shared/reference-cases).

Usage: test_reference_cases.py PATH/TO/eprop SHARED_DIR

Every case's net.toml is run with `eprop run` (stepwise on 1 thread, closed form on 3 threads), and
every file of its expected/ directory is compared with the output file of the same name: rows keyed
by (index, time) for multimeters and spike recorders (spikes as multisets), weights by synapse;
values at rtol 1e-8, atol 1e-10 (NEST 3.10, double). Exit status 77 (skip) without SHARED_DIR.
"""

import collections
import csv
import math
import pathlib
import subprocess
import sys
import tempfile

RTOL = 1e-8
ATOL = 1e-10


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def close(a, b):
    return math.isfinite(a) and abs(a - b) <= ATOL + RTOL * abs(b)


def compare(name, got_path, want_path, failures):
    if not got_path.exists():
        failures.append(f"{name}: {got_path.name} not written")
        return
    got, want = rows(got_path), rows(want_path)
    if want_path.name == "weights.csv":
        key = lambda r: (r["source_population"], r["source"], r["target_population"], r["target"])
        have = {key(r): float(r["weight"]) for r in got}
        for r in want:
            k = key(r)
            if k not in have or not close(have[k], float(r["weight"])):
                failures.append(f"{name}: weight {k} = {have.get(k)}, NEST {r['weight']}")
        if len(have) != len(want):
            failures.append(f"{name}: {len(have)} weights, NEST {len(want)}")
        return
    if want_path.name.endswith("_spike_recorder.csv"):
        count = lambda rs: collections.Counter((r["index"], float(r["time"])) for r in rs)
        if count(got) != count(want):
            failures.append(f"{name}: {want_path.name}: spikes differ: "
                            f"{sorted((count(got) - count(want)).elements())[:5]} extra, "
                            f"{sorted((count(want) - count(got)).elements())[:5]} missing")
        return
    have = {(r["index"], float(r["time"])): r for r in got}
    if len(have) != len(want):
        failures.append(f"{name}: {want_path.name}: {len(have)} rows, NEST {len(want)}")
    bad = 0
    for r in want:
        g = have.get((r["index"], float(r["time"])))
        for column, value in r.items():
            if column in ("index", "time"):
                continue
            if g is None or column not in g or not close(float(g[column]), float(value)):
                bad += 1
                if bad <= 5:
                    failures.append(f"{name}: {want_path.name} neuron {r['index']} t={r['time']} "
                                    f"{column} = {None if g is None else g.get(column)}, NEST {value}")
    if bad > 5:
        failures.append(f"{name}: {want_path.name}: {bad} values differ in all")


def main():
    eprop, shared = sys.argv[1], pathlib.Path(sys.argv[2])
    cases = sorted(p.parent for p in (shared / "reference-cases").glob("*/net.toml"))
    if not cases:
        print(f"SKIP: no reference cases in {shared / 'reference-cases'}")
        return 77
    failures = []
    with tempfile.TemporaryDirectory(prefix="eprop_reference_cases_") as tmp:
        for case in cases:
            for integration, threads in (("stepwise", "1"), ("closed_form", "3")):
                name = f"{case.name} ({integration}, {threads} threads)"
                out = pathlib.Path(tmp) / f"{case.name}_{integration}"
                proc = subprocess.run([eprop, "run", str(case / "net.toml"), "--out", str(out),
                                       "--quiet", "--integration", integration,
                                       "--threads", threads],
                                      capture_output=True, text=True, timeout=300)
                if proc.returncode != 0:
                    failures.append(f"{name}: exit {proc.returncode}: {proc.stderr.strip()}")
                    continue
                for want in sorted((case / "expected").glob("*.csv")):
                    compare(name, out / want.name, want, failures)
                print(f"ran {name}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
