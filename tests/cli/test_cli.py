#!/usr/bin/python3
"""End-to-end test of the `eprop` command line (standard library only).

Usage: test_cli.py PATH/TO/eprop PATH/TO/tests/networks

1. Runs `eprop run` on every Appendix B network file and compares the CSV output with
   appendix_b_expected.json (SPEC.md Appendix B): spike stamps exactly, traces and final weights
   with rtol 1e-8 (atol 1e-12 for zeros), multimeter time stamps exactly (1..59).
2. Feeds broken network files (written to a temporary directory) and checks that each run fails with
   exit status 1, a message naming the file and the offending field, and no output files.
3. Checks command-line usage errors (exit status 2) and --help.
"""

import csv
import json
import math
import pathlib
import subprocess
import sys
import tempfile

RTOL = 1e-8
ATOL = 1e-12
BASE_NETWORK = "appendix_b_eprop_iaf_gradient_descent_each.toml"


class Checker:
    def __init__(self):
        self.failures = []
        self.checks = 0

    def expect(self, condition, message):
        self.checks += 1
        if not condition:
            self.failures.append(message)
        return condition


def run_eprop(eprop, *args):
    return subprocess.run([eprop, *map(str, args)], capture_output=True, text=True, timeout=300)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def close(actual, expected):
    return math.isfinite(actual) and abs(actual - expected) <= ATOL + RTOL * abs(expected)


def compare_spikes(c, name, out, spikes):
    rows = read_csv(out / "rec_spike_recorder.csv")
    by_neuron = {}
    for row in rows:
        by_neuron.setdefault(row["index"], []).append(float(row["time"]))
    for neuron in sorted(set(by_neuron) | set(spikes)):
        c.expect(by_neuron.get(neuron, []) == spikes.get(neuron, []),
                 f"{name}: rec{neuron} spike stamps {by_neuron.get(neuron, [])} != "
                 f"expected {spikes.get(neuron, [])}")


def compare_multimeter_times(c, name, out, times):
    for file in ("out_multimeter.csv", "rec_multimeter.csv"):
        rows = read_csv(out / file)
        for index in sorted({row["index"] for row in rows}):
            got = [float(row["time"]) for row in rows if row["index"] == index]
            c.expect(got == times, f"{name}: {file} neuron {index} times {got[:5]}... (n={len(got)})"
                                   f" != 1..59")


def compare_traces(c, name, out, traces):
    for trace in traces:
        rows = [r for r in read_csv(out / trace["file"]) if int(r["index"]) == trace["index"]]
        label = f"{name}: {trace['file']} neuron {trace['index']} {trace['variable']}"
        if not c.expect(rows and trace["variable"] in rows[0], f"{label}: column missing"):
            continue
        got = [float(r[trace["variable"]]) for r in rows]
        if not c.expect(len(got) == len(trace["values"]),
                        f"{label}: {len(got)} samples, expected {len(trace['values'])}"):
            continue
        bad = [(t, g, e) for t, g, e in zip(trace["time"], got, trace["values"]) if not close(g, e)]
        c.expect(not bad, f"{label}: {len(bad)} samples differ, first (time, got, expected) {bad[:1]}")


def compare_weights(c, name, out, weights):
    got = {(r["source_population"], int(r["source"]), r["target_population"], int(r["target"])):
           float(r["weight"]) for r in read_csv(out / "weights.csv")}
    expected = {tuple(w[:4]): w[4] for w in weights}
    c.expect(set(got) == set(expected),
             f"{name}: weights.csv synapses {sorted(set(got) ^ set(expected))} differ from expected")
    for key, value in expected.items():
        if key in got:
            c.expect(close(got[key], value), f"{name}: weight {key} = {got[key]!r}, expected {value!r}")


def check_reference_runs(c, eprop, networks, tmp):
    expected = json.loads((networks / "appendix_b_expected.json").read_text())
    runs = [(name, run, []) for name, run in expected["runs"].items()]
    # Results must not depend on the thread count (DESIGN: reproducibility).
    name, run, _ = runs[0]
    runs.append((name + "_threads2", run, ["--threads", "2"]))
    # Both integrations of the eligibility traces reproduce NEST (closed_form is the default).
    for name, run, _ in list(runs[:5]):
        runs.append((name + "_stepwise", run, ["--integration", "stepwise"]))
    for name, run, extra in runs:
        out = tmp / name
        proc = run_eprop(eprop, "run", networks / run["network"], "--out", out, "--quiet", *extra)
        if not c.expect(proc.returncode == 0,
                        f"{name}: eprop run exited {proc.returncode}: {proc.stderr.strip()}"):
            continue
        c.expect(proc.stdout == "", f"{name}: --quiet printed {proc.stdout!r}")
        c.expect(not list(out.glob(".*")), f"{name}: temporary files left in {out}")
        compare_spikes(c, name, out, run["spikes"])
        compare_multimeter_times(c, name, out, expected["multimeter_times"])
        compare_traces(c, name, out, run["traces"])
        compare_weights(c, name, out, run["weights"])
        print(f"ran {name}")


def check_stats(c, eprop, networks, tmp):
    out = tmp / "stats"
    spike_mode = "appendix_b_eprop_iaf_gradient_descent_spike.toml"
    for integration, closed_form in (("closed_form", 15), ("stepwise", 0)):
        proc = run_eprop(eprop, "run", networks / spike_mode, "--out", out, "--stats",
                         "--integration", integration, "--overwrite")
        if not c.expect(proc.returncode == 0, f"--stats: exit {proc.returncode}: {proc.stderr}"):
            return
        stats = json.loads((out / "stats.json").read_text())
        c.expect(stats["eprop_synapses"] == 15, f"--stats: {stats['eprop_synapses']} synapses")
        c.expect(stats["closed_form_synapses"] == closed_form,
                 f"--stats {integration}: {stats['closed_form_synapses']} closed-form synapses")
        c.expect(0 < stats["bytes_per_eprop_synapse"] <= 40,
                 f"--stats: {stats['bytes_per_eprop_synapse']} bytes per synapse")
        c.expect(stats["peak_memory_bytes"] > 0, "--stats: no peak memory")
        c.expect('"eprop_synapses": 15' in proc.stdout, "--stats printed nothing")


def replaced(text, old, new):
    assert old in text, f"test template changed: {old!r} not found in {BASE_NETWORK}"
    return text.replace(old, new, 1)


def bad_networks(base):
    """(file name, network text, substrings that the error message must all contain,
    substrings of which it must contain at least one)."""
    w_in = "weight = [[0.15, 0.12], [0.11, 0.16], [0.13, 0.10]]"
    parrot = '[[population]]\nname = "par2"\nmodel = "parrot_neuron"\nn = 3\n\n[[population]]\nname = "rec"'
    return [
        ("malformed.toml", replaced(base, '[[population]]\nname = "in"', '[[population]\nname = "in"'),
         ["line"], []),
        ("unknown_key.toml", replaced(base, "allow_autapses = false", "allow_autapse = false"),
         ["allow_autapse", "[[connection]] #2"], []),
        ("shape.toml", replaced(base, w_in, "weight = [[0.15, 0.12], [0.11, 0.16]]"),
         ["weight", "[[connection]] #1"], []),
        ("spike_lists.toml", replaced(base, "spike_times = [[1, 4, 7, 10, 13, 20, 21, 30, 41, 45], ",
                                      "spike_times = ["),
         ["spike_times"], []),
        ("negative_time.toml", replaced(base, "spike_times = [[1, 4,", "spike_times = [[-1, 4,"),
         ["spike_times", "negative"], []),
        ("surrogate.toml", replaced(base, '"piecewise_linear"', '"piecewise_linearr"'),
         [], ["surrogate_gradient_function", "piecewise_linearr"]),
        ("unknown_param.toml", replaced(base, "C_m = 1.0, E_L = 0.0, V_m = 0.0, V_th",
                                        "C_m = 1.0, tau_x = 3.0, E_L = 0.0, V_m = 0.0, V_th"),
         ["tau_x"], []),
        ("eprop_onto_parrot.toml",
         replaced(replaced(base, '[[population]]\nname = "rec"', parrot),
                  'source = "in"\ntarget = "rec"', 'source = "in"\ntarget = "par2"'),
         [], ["par2", "parrot_neuron", "eprop_synapse"]),
        ("eprop_delay.toml", replaced(base, w_in + "\ndelay = 1.0", w_in + "\ndelay = 2.0"),
         ["delay"], []),
    ]


def check_bad_inputs(c, eprop, networks, tmp):
    base = (networks / BASE_NETWORK).read_text()
    bad_dir = tmp / "bad"
    bad_dir.mkdir()
    for file, text, required, any_of in bad_networks(base):
        path = bad_dir / file
        path.write_text(text)
        out = bad_dir / (file + ".out")
        proc = run_eprop(eprop, "run", path, "--out", out)
        message = proc.stderr.strip()
        c.expect(proc.returncode == 1, f"{file}: exit status {proc.returncode}, expected 1 ({message})")
        c.expect(message.startswith("error: "), f"{file}: message {message!r} lacks 'error: '")
        for part in [str(path)] + required:
            c.expect(part in message, f"{file}: message {message!r} does not mention {part!r}")
        if any_of:
            c.expect(any(p in message for p in any_of),
                     f"{file}: message {message!r} mentions none of {any_of}")
        c.expect(not out.exists() or not any(out.iterdir()), f"{file}: output files left in {out}")
        print(f"{file}: {message}")


def check_usage(c, eprop, networks, tmp):
    net = networks / BASE_NETWORK
    for args in (["run", net], ["run", "--out", tmp / "x"], [], ["frobnicate"],
                 ["run", net, "--out", tmp / "x", "--precision", "half"]):
        proc = run_eprop(eprop, *args)
        c.expect(proc.returncode == 2, f"eprop {args}: exit status {proc.returncode}, expected 2")
    c.expect(not (tmp / "x").exists(), "usage errors created the output directory")
    for args in (["--help"], ["run", "--help"]):
        proc = run_eprop(eprop, *args)
        c.expect(proc.returncode == 0, f"eprop {args}: exit status {proc.returncode}")
        for word in ("[[population]]", "weights.csv", "t+1", "index,time"):
            c.expect(word in proc.stdout, f"eprop {args}: help does not mention {word!r}")
    missing = tmp / "no_such_file.toml"
    proc = run_eprop(eprop, "run", missing, "--out", tmp / "y")
    c.expect(proc.returncode == 1 and str(missing) in proc.stderr,
             f"missing file: exit status {proc.returncode}, message {proc.stderr.strip()!r}")


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    eprop, networks = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    c = Checker()
    with tempfile.TemporaryDirectory(prefix="eprop_cli_") as tmp_name:
        tmp = pathlib.Path(tmp_name)
        check_usage(c, eprop, networks, tmp)
        check_bad_inputs(c, eprop, networks, tmp)
        check_reference_runs(c, eprop, networks, tmp)
        check_stats(c, eprop, networks, tmp)
    for failure in c.failures:
        print("FAIL:", failure)
    print(f"{c.checks - len(c.failures)} of {c.checks} checks passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
