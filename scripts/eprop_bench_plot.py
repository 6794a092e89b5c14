#!/usr/bin/python3
"""Figure of `eprop bench`: wall time per simulated second against network size.

One panel per variant (eprop_plus, eprop_original, static, stdp), the time stacked by phase
(update, Poisson input, delivery, gradient/optimizer, communication, I/O, other), and one panel with the totals
of all variants side by side on log-log axes.

usage: eprop_bench_plot.py RECORDS.jsonl --out FIGURE.png
"""

import argparse
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

VARIANTS = ["eprop_plus", "eprop_original", "static", "stdp"]
PHASES = ["update", "input", "delivery", "gradient_optimizer", "communication", "io", "other"]
COLORS = {"eprop_plus": "C0", "eprop_original": "C1", "static": "C2", "stdp": "C3"}
PHASE_COLORS = ["#4c72b0", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000"]


def read_records(path):
    records = []
    for line in path.read_text().splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)
    records = read_records(args.records)
    if not records:
        print(f"error: {args.records} holds no records", file=sys.stderr)
        return 1
    variants = [v for v in VARIANTS if any(r["variant"] == v for r in records)]
    fig, axes = plt.subplots(1, len(variants) + 1, figsize=(4 * (len(variants) + 1), 3.6),
                             squeeze=False)
    axes = axes[0]
    for ax, variant in zip(axes, variants):
        rows = sorted((r for r in records if r["variant"] == variant), key=lambda r: r["n_rec"])
        sizes = [r["n_rec"] for r in rows]
        labels = [str(n) for n in sizes]
        bottom = [0.0] * len(rows)
        for k, phase in enumerate(PHASES):
            values = [r["phases_s_per_sim_s"][phase] for r in rows]
            ax.bar(labels, values, bottom=bottom, label=phase, color=PHASE_COLORS[k])
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_title(variant)
        ax.set_xlabel("n_rec")
        ax.set_ylabel("wall s per simulated s")
    axes[0].legend(fontsize=7)
    total = axes[-1]
    for variant in variants:
        rows = sorted((r for r in records if r["variant"] == variant), key=lambda r: r["n_rec"])
        total.plot([r["n_rec"] for r in rows], [r["wall_s_per_sim_s"] for r in rows], "o-",
                   label=variant, color=COLORS[variant])
    total.set_xscale("log")
    total.set_yscale("log")
    total.set_xlabel("n_rec")
    total.set_ylabel("wall s per simulated s")
    total.set_title("all variants")
    total.legend(fontsize=7)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
