#!/usr/bin/python3
"""The paper benchmark's record: runs `eprop bench` over a size series and writes the section
"Paper benchmark" of docs/benchmarks.md (a Markdown table per run series) and its figure.

usage: bench/paper_bench_record.py EPROP_EXECUTABLE --out DIR
       [--sizes N:T[:VARIANT,...[:K]] ...] [--indegree-rec K] [--memory-limit GIB]
       [--write-docs] [--from-out]

Each size and variant runs as `nice eprop bench --n-rec N --time T --variants V` (records in
DIR/nN_kK/V/records.jsonl); a size may name its variants (default: all four) and its recurrent
in-degree K (default --indegree-rec). K = `max` takes the largest in-degree at which every
variant of that size fits the memory limit (the estimate of `eprop bench --estimate`, found by
bisection; limit: --memory-limit, or the memory available now less 2 GiB). A run whose memory
estimate exceeds --memory-limit is refused by eprop bench before anything is built, and listed
under the table. On a terminal a progress bar shows the sweep. bench/run_benchmarks.sh runs it
as part of the one benchmark command, and bench/make_report.py renders the section from
DIR/records.jsonl with `section()` below. --write-docs (for a paper-benchmark run on its own)
replaces just this section in docs/benchmarks.md and copies the figure to
docs/benchmarks_paper.png.
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys

VARIANTS = ["eprop_plus", "eprop_original", "static", "stdp"]
ROOT = pathlib.Path(__file__).resolve().parent.parent
# The issue quotes NEST's static-synapse throughput on this machine kind as 6-7 M events/s per
# core; ../shared/BASELINE.md itself holds no static-synapse measurement.
NEST_STATIC_EVENTS_PER_S = "6-7 M (quoted in issue 13; not in BASELINE.md)"


def run_one(eprop, out, n, indegree, time_ms, variant, args):
    """One variant at one size: its record, or None (refused or failed: the reason in
    args.not_run)."""
    run_dir = out / f"n{n}_k{indegree}" / variant
    cmd = ["nice", eprop, "bench", "--out", str(run_dir), "--n-rec", str(n), "--time",
           str(time_ms), "--variants", variant, "--indegree-rec", str(indegree),
           "--threads", str(args.threads), "--no-plot", "--quiet"]
    if args.memory_limit:
        cmd += ["--memory-limit", str(args.memory_limit)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        # The run's own error (e.g. the memory it could not get) and eprop bench's summary.
        lines = [l for l in r.stderr.splitlines() if l.strip().startswith("error:")]
        reason = " / ".join(lines[-2:]) if lines else f"exit {r.returncode}"
        args.not_run.append(f"n_rec = {n:,}, in-degree {indegree}, {variant}: {reason}")
        with open(out / "not_run.txt", "a") as f:  # for --from-out
            f.write(args.not_run[-1] + "\n")
        return None
    return json.loads((run_dir / "records.jsonl").read_text().splitlines()[0])


def available_gib():
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 2**20
    raise RuntimeError("/proc/meminfo has no MemAvailable")


def fits(eprop, n, indegree, variants, limit_gib):
    """Whether every variant's memory estimate at this size and in-degree stays under the limit."""
    cmd = [eprop, "bench", "--estimate", "--n-rec", str(n), "--indegree-rec", str(indegree),
           "--memory-limit", f"{limit_gib:.3f}"]
    for v in variants:
        cmd += ["--variants", v]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return "does not fit" not in r.stdout


def largest_indegree(eprop, n, variants, args):
    """The largest recurrent in-degree (at most n - 1) at which all variants fit the limit."""
    limit = args.memory_limit or available_gib() - 2
    lo, hi = 1, n - 1
    if not fits(eprop, n, lo, variants, limit):
        raise SystemExit(f"n_rec = {n:,} does not fit {limit:.1f} GiB even at in-degree 1")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(eprop, n, mid, variants, limit) else (lo, mid - 1)
    args.note = (args.note or []) + [
        f"At n_rec = {n:,} the in-degree {lo} is the largest at which the estimate of every "
        f"variant run there ({', '.join(variants)}) stays under {limit:.1f} GiB (" +
        ("--memory-limit" if args.memory_limit else
         "the memory available when the run started, less 2 GiB for the rest of the machine") +
        ")."]
    return lo


def progress(done, total, what):
    """A one-line progress bar on a terminal (nothing when stderr is redirected)."""
    if not sys.stderr.isatty():
        return
    width = 24
    filled = done * width // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what:<50}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def table(records):
    lines = [
        "| n_rec | variant | in-degree | synapses | spikes | wall s / sim s | CPU s / sim s | input | delivery | grad/opt | update | comm | ns / event (CPU) | M events / CPU s | peak MiB | B / syn | e-prop+ / static (CPU) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_size = {}
    for r in records:
        by_size.setdefault((r["n_rec"], r["indegree_rec"]), {})[r["variant"]] = r
    for n, indegree in sorted(by_size):
        rows = by_size[(n, indegree)]
        static = rows.get("static")
        for v in VARIANTS:
            r = rows.get(v)
            if r is None:
                continue
            p = r["phases_s_per_sim_s"]
            peak = r.get("peak_memory_bytes")
            peak_text = f"{peak / 2**20:.0f}" if peak else "n/a"
            ratio = ""
            if v == "eprop_plus" and static:
                ratio = f"{r['cpu_s_per_sim_s'] / static['cpu_s_per_sim_s']:.2f}"
            lines.append(
                f"| {n:,} | {v} | {r['indegree_rec']} | {r['synapses']:,} | {r['spikes']:,} | {r['wall_s_per_sim_s']:.3g} "
                f"| {r['cpu_s_per_sim_s']:.3g} "
                f"| {p['input']:.3g} | {p['delivery']:.3g} | {p['gradient_optimizer']:.3g} "
                f"| {p['update']:.3g} | {p['communication']:.3g} | {r['ns_per_event_cpu']:.0f} "
                f"| {r['events_per_cpu_s'] / 1e6:.2f} | {peak_text} "
                f"| {r['bytes_per_synapse']:.1f} | {ratio} |")
    return "\n".join(lines)


def growth(records):
    """CPU ns per synaptic event of each variant from its smallest to its largest size."""
    out = []
    for v in VARIANTS:
        rows = sorted((r for r in records if r["variant"] == v), key=lambda r: r["n_rec"])
        # Along the series' in-degree (that of the smallest size), so that only size changes.
        rows = [r for r in rows if rows and r["indegree_rec"] == rows[0]["indegree_rec"]]
        if len(rows) >= 2:
            a, b = rows[0], rows[-1]
            out.append(f"{v} {a['ns_per_event_cpu']:.0f} ns at {a['n_rec']:,} -> "
                       f"{b['ns_per_event_cpu']:.0f} ns at {b['n_rec']:,} "
                       f"(x{b['ns_per_event_cpu'] / a['ns_per_event_cpu']:.2f} for "
                       f"x{b['n_rec'] / a['n_rec']:,.0f} neurons)")
    return "; ".join(out) or "n/a (no variant ran at two sizes of one in-degree)"


def section(records, args):
    loads = [r["load_1min_start"] for r in records] + [r["load_1min_end"] for r in records]
    first = records[0]
    indegree = getattr(args, "indegree_rec", first["indegree_rec"])
    not_run = getattr(args, "not_run", [])
    skipped = "".join(f"\n- not run: {line}" for line in not_run)
    notes = "".join(f"\n{note}\n" for note in getattr(args, "note", None) or [])
    return f"""## Paper benchmark

`eprop bench` (PAPER_EXPERIMENTS 6.1; `bench/paper_bench_record.py`, figure
`benchmarks_paper.png`). One network in four variants with identical spike trains (every
recurrent neuron spikes at {first['rate_rec_hz']:g} Hz on one schedule: `ignore_and_fire`, or
`ignore_and_spike` in the e-prop models), n_in = n_rec/10 Poisson generators at
{first['rate_in_hz']:g} Hz into each recurrent neuron with in-degree {first['indegree_in']},
recurrent in-degree {indegree} (unless the table says otherwise), n_out = n_rec/1000 readouts with in-degree
{first['indegree_out']}, {first['precision']}, {first['threads']} thread(s), 1 ms steps, short
simulated times at the large sizes (`sim_ms` in the records). Time per simulated second by phase
(wall s): *input* = the Poisson input (event-driven: draws per non-empty step of each target's
input train, `src/engine/poisson_input.h`), *delivery* = recurrent and readout spikes through
static/STDP synapses (STDP updates included), *grad/opt* = e-prop synapses (eligibility,
gradient, optimizer, history) and the learning signals, *comm* = the serial part of each step
(O(1) per population, plus the growth of the history rings while a run warms up) and the exchange
between ranks. Events = recurrent spikes x (in-degree + readout fan-out) + input
synapses x rate. **CPU s** = user + system time of the process during the timed part: the machine
is shared (1-minute load average {min(loads):.1f} to {max(loads):.1f} on 2 cores during these
runs), so wall times are inflated and noisy, and the CPU columns are the fair ones; the e-prop+ /
static ratio is taken from them.

{table(records)}
{skipped}

Cost per synaptic event (CPU) from the smallest to the largest size: {growth(records)}.

NEST's static-synapse throughput on this machine kind: {NEST_STATIC_EVENTS_PER_S} events/s per
core; ours is the `M events / CPU s` column of the static rows (one core; it includes the Poisson
input).
{notes}"""


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eprop")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--sizes", nargs="+", default=["1000:1000", "10000:500", "100000:100"])
    parser.add_argument("--indegree-rec", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--memory-limit", type=float, default=0,
                        help="GiB: refuse runs whose estimate exceeds it (default: memory available)")
    parser.add_argument("--note", action="append",
                        help="a paragraph to add under the table (repeatable)")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--from-out", action="store_true",
                        help="run nothing: render the records already in OUT/n*/*/records.jsonl")
    args = parser.parse_args(argv)
    args.not_run = []
    args.out.mkdir(parents=True, exist_ok=True)
    records = []
    if args.from_out:
        for path in sorted(args.out.glob("n*/*/records.jsonl"),
                           key=lambda p: (p.parent.parent.name, p.parent.name)):
            records += [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
        if (args.out / "not_run.txt").exists():
            args.not_run = (args.out / "not_run.txt").read_text().splitlines()
    runs = []
    for spec in [] if args.from_out else args.sizes:
        parts = spec.split(":")
        n = int(parts[0])
        variants = parts[2].split(",") if len(parts) > 2 and parts[2] else VARIANTS
        indegree = parts[3] if len(parts) > 3 else str(args.indegree_rec)
        runs += [(n, indegree, int(parts[1]), v, tuple(variants)) for v in variants]
    chosen = {}  # "max" is resolved just before its first run, with the memory available then
    for k, (n, indegree, time_ms, variant, group) in enumerate(runs):
        if indegree == "max":
            if (n, group) not in chosen:
                chosen[(n, group)] = largest_indegree(args.eprop, n, list(group), args)
            indegree = chosen[(n, group)]
        indegree = int(indegree)
        progress(k, len(runs), f"n_rec={n:,} k={indegree} {variant}")
        got = run_one(args.eprop, args.out, n, indegree, time_ms, variant, args)
        if got:
            records.append(got)
    progress(len(runs), len(runs), "done")
    for line in args.not_run:
        print(f"not run: {line}", file=sys.stderr)
    if not records:
        return 1
    all_records = args.out / "records.jsonl"
    all_records.write_text("".join(json.dumps(r) + "\n" for r in records))
    figure = args.out / "bench.png"
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts/eprop_bench_plot.py"),
                    str(all_records), "--out", str(figure)], check=True)
    text = section(records, args)
    (args.out / "section.md").write_text(text)
    if args.write_docs:
        docs = ROOT / "docs/benchmarks.md"
        body = docs.read_text()
        start = body.find("## Paper benchmark")
        if start >= 0:
            end = body.find("\n## ", start + 1)
            body = body[:start] + text.rstrip("\n") + "\n\n" + (body[end + 1:] if end >= 0 else "")
        else:
            body = body.rstrip("\n") + "\n\n" + text
        docs.write_text(body)
        shutil.copy(figure, ROOT / "docs/benchmarks_paper.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
