#!/usr/bin/python3
"""The paper benchmark's record: runs `eprop bench` over a size series and writes the section
"Paper benchmark" of docs/benchmarks.md (a Markdown table per run series) and its figure.

usage: bench/paper_bench_record.py EPROP_EXECUTABLE --out DIR [--sizes N:T ...] [--indegree-rec K]
       [--write-docs] [--from-out]

Each size runs as `nice eprop bench --n-rec N --time T`, all four variants, one size at a time
(records appended to DIR/records.jsonl); the sweep stops at the first size whose memory estimate
does not fit. bench/run_benchmarks.sh runs it as part of the one benchmark command, and
bench/make_report.py renders the section from DIR/records.jsonl with `section()` below.
--write-docs (for a paper-benchmark run on its own) replaces just this section in
docs/benchmarks.md and copies the figure to docs/benchmarks_paper.png.
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


def run_size(eprop, out, n, time_ms, indegree_rec, threads):
    size_dir = out / f"n{n}"
    cmd = ["nice", eprop, "bench", "--out", str(size_dir), "--n-rec", str(n), "--time",
           str(time_ms), "--indegree-rec", str(indegree_rec), "--threads", str(threads),
           "--no-plot", "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"n_rec={n}: {r.stderr.strip()}", file=sys.stderr)
        return []
    return [json.loads(line) for line in (size_dir / "records.jsonl").read_text().splitlines()]


def table(records):
    lines = [
        "| n_rec | variant | synapses | spikes | s / sim s | input | delivery | grad/opt | update | comm | ns / event | M events/s | peak MiB | B / syn | e-prop+ / static |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_size = {}
    for r in records:
        by_size.setdefault(r["n_rec"], {})[r["variant"]] = r
    for n in sorted(by_size):
        rows = by_size[n]
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
                ratio = f"{r['wall_s_per_sim_s'] / static['wall_s_per_sim_s']:.2f}"
            lines.append(
                f"| {n:,} | {v} | {r['synapses']:,} | {r['spikes']:,} | {r['wall_s_per_sim_s']:.3g} "
                f"| {p['input']:.3g} | {p['delivery']:.3g} | {p['gradient_optimizer']:.3g} "
                f"| {p['update']:.3g} | {p['communication']:.3g} | {r['ns_per_event']:.0f} "
                f"| {r['events_per_wall_s'] / 1e6:.2f} | {peak_text} "
                f"| {r['bytes_per_synapse']:.1f} | {ratio} |")
    return "\n".join(lines)


def section(records, args):
    loads = [r["load_1min_start"] for r in records] + [r["load_1min_end"] for r in records]
    first = records[0]
    return f"""## Paper benchmark

`eprop bench` (PAPER_EXPERIMENTS 6.1; `bench/paper_bench_record.py`, figure
`benchmarks_paper.png`). One network in four variants with identical spike trains (every
recurrent neuron spikes at {first['rate_rec_hz']:g} Hz on one schedule: `ignore_and_fire`, or
`ignore_and_spike` in the e-prop models), n_in = n_rec/10 Poisson generators at
{first['rate_in_hz']:g} Hz into each recurrent neuron with in-degree {first['indegree_in']},
recurrent in-degree {args.indegree_rec}, n_out = n_rec/1000 readouts with in-degree
{first['indegree_out']}, {first['precision']}, {first['threads']} thread(s), 1 ms steps. Time per
simulated second by phase (s): *input* = the Poisson draws (one per input synapse and step, as
NEST's poisson_generator), *delivery* = recurrent and readout spikes through static/STDP
synapses (STDP updates included), *grad/opt* = e-prop synapses (eligibility, gradient,
optimizer, history) and the learning signals, *comm* = the serial part of each step (O(1) per
population, plus the growth of the history rings while a run warms up) and the exchange between
ranks. Events = recurrent spikes x (in-degree + readout fan-out) + input synapses x
rate. **Machine load** during these runs (1-minute load average on 2 cores, other engineers
building): {min(loads):.1f} to {max(loads):.1f}, so absolute times are inflated by
roughly that factor over 2 and noisy; the ratios between variants measured back to back are the
useful numbers.

{table(records)}

NEST's static-synapse throughput on this machine kind: {NEST_STATIC_EVENTS_PER_S} events/s per
core; ours is the `M events/s` column of the static rows (which includes the Poisson draws).
"""


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eprop")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--sizes", nargs="+", default=["1000:1000", "10000:500", "100000:100"])
    parser.add_argument("--indegree-rec", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--from-out", action="store_true",
                        help="run nothing: render the records already in OUT/n*/records.jsonl")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    records = []
    if args.from_out:
        for path in sorted(args.out.glob("n*/records.jsonl"), key=lambda p: int(p.parent.name[1:])):
            records += [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    for spec in [] if args.from_out else args.sizes:
        n, time_ms = (int(x) for x in spec.split(":"))
        got = run_size(args.eprop, args.out, n, time_ms, args.indegree_rec, args.threads)
        if not got:
            break
        records += got
        print(f"n_rec={n}: done", file=sys.stderr, flush=True)
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
            body = body[:start] + text + (body[end + 1:] if end >= 0 else "")
        else:
            body = body.rstrip("\n") + "\n\n" + text
        docs.write_text(body)
        shutil.copy(figure, ROOT / "docs/benchmarks_paper.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
