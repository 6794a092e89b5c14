#!/usr/bin/python3
"""Plots of an `eprop train` run, in the style of NEST's e-prop example scripts.

Usage: eprop_plot.py RUN_DIR [--out PLOT_DIR]        (normally via `eprop plot RUN_DIR`)

Reads RUN_DIR/metrics.csv, run.json, recordings/*.csv, weights_initial.csv and weights.csv and
writes PNG files to PLOT_DIR (default RUN_DIR/plots):
  training.png          loss and error per iteration (coloured by phase)
  dynamics_first.png    spikes of input and recurrent neurons, traces of the recorded recurrent
  dynamics_last.png     neurons, readout signal against target, for the first / last iteration
  weights.png           weight matrices (in->rec, rec->rec, rec->out) before and after training
Needs numpy and matplotlib (Debian: python3-numpy, python3-matplotlib).
"""

import argparse
import csv
import json
import math
import os
import pathlib
import shutil
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLORS = {"blue": "#2854c5", "red": "#e04b40", "green": "#25aa2c", "gold": "#f9c643", "grey": "#888888"}
PHASE_COLORS = {"training": COLORS["blue"], "validation": COLORS["gold"],
                "early-stopping": COLORS["green"], "test": COLORS["red"]}
TRACE_LABELS = {"V_m": "$v_j$ (mV)", "surrogate_gradient": r"$\psi_j$", "learning_signal": "$L_j$ (pA)",
                "V_th_adapt": "$A_j$ (mV)"}


class InputError(Exception):
    """A file of the run is missing, truncated or damaged (reported without a traceback)."""


def read_table(path):
    """CSV with a header -> dict of column name -> numpy array (strings kept as str arrays)."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: cannot read it ({e})") from None
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(f"{path}: line {line} has {len(row)} fields, the header has {len(header)} "
                             "(the file is truncated or damaged)")
    table = {}
    for c, name in enumerate(header):
        column = [r[c] for r in body]
        try:
            table[name] = np.array([float(x) for x in column], dtype=float)
        except ValueError:
            table[name] = np.array(column, dtype=object)
    return table


def plot_training(run_dir, out_dir, info):
    m = read_table(run_dir / "metrics.csv")
    it, loss, error, phase = m["iteration"], m["loss"], m["error"], m["phase"]
    has_error = np.any(np.isfinite(error))
    fig, axs = plt.subplots(2 if has_error else 1, 1, sharex=True, figsize=(7, 5 if has_error else 3.2),
                            squeeze=False)
    axs = axs[:, 0]
    fig.suptitle(f"Training: {info.get('task', '')}")
    for name in dict.fromkeys(phase):
        sel = phase == name
        color = PHASE_COLORS.get(name, COLORS["grey"])
        axs[0].plot(it[sel], loss[sel], "o-" if sel.sum() < 60 else "-", ms=3, lw=1, color=color, label=name)
        if has_error:
            axs[1].plot(it[sel], error[sel], "o-" if sel.sum() < 60 else "-", ms=3, lw=1, color=color, label=name)
    axs[0].set_ylabel("loss")
    if has_error:
        axs[1].set_ylabel("error (1 - accuracy)")
        axs[1].set_ylim(-0.02, 1.02)
    if len(set(phase)) > 1:
        axs[0].legend(fontsize=8)
    axs[-1].set_xlabel("iteration")
    axs[-1].xaxis.get_major_locator().set_params(integer=True)
    fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.14 if not has_error else 0.1, hspace=0.15)
    fig.savefig(out_dir / "training.png", dpi=120)
    plt.close(fig)


def raster(ax, spikes, label):
    if len(spikes.get("time", [])) > 0:
        ax.scatter(spikes["time"], spikes["index"], s=1.5, marker="|", color="k", linewidths=0.5)
        lo, hi = spikes["index"].min(), spikes["index"].max()
        margin = max(1.0, 0.05 * (hi - lo))
        ax.set_ylim(lo - margin, hi + margin)
    else:
        ax.text(0.5, 0.5, "no spikes", transform=ax.transAxes, ha="center", va="center", fontsize=8)
    ax.set_ylabel(label)


def traces(ax, table, variable, label, max_lines=12):
    shown = []
    for n in list(dict.fromkeys(table["index"]))[:max_lines]:
        sel = table["index"] == n
        ax.plot(table["time"][sel], table[variable][sel], lw=0.6)
        shown.append(table[variable][sel])
    ax.set_ylabel(label)
    values = np.concatenate(shown) if shown else np.array([])
    values = values[np.isfinite(values)]
    if values.size > 0:
        # Robust limits: the final-update spike (1000 pA into every recurrent neuron after the
        # last iteration) would otherwise flatten the last iteration's membrane traces.
        lo, hi = np.quantile(values, [0.002, 0.998])
        margin = 0.1 * (hi - lo) if hi > lo else max(abs(hi), 1e-9) * 0.1
        ax.set_ylim(lo - margin, hi + margin)


def readout_vs_target(ax, table):
    neurons = list(dict.fromkeys(table["index"]))
    cmap = plt.get_cmap("tab10")
    for k, n in enumerate(neurons[:10]):
        sel = table["index"] == n
        color = cmap(k % 10)
        ax.plot(table["time"][sel], table["target_signal"][sel], "--", lw=1.2, color=color, alpha=0.7)
        ax.plot(table["time"][sel], table["readout_signal"][sel], lw=0.8, color=color)
    ax.set_ylabel("readout $y_k$\n(--- target)")


def plot_dynamics(run_dir, out_dir, which, info):
    rec_dir = run_dir / "recordings"
    readout_path = rec_dir / f"{which}_readout.csv"
    if not readout_path.exists():
        return None
    readout = read_table(readout_path)
    spikes = {p.stem[len(which) + 8:]: read_table(p) for p in sorted(rec_dir.glob(f"{which}_spikes_*.csv"))}
    trace_tables = {p.stem[len(which) + 8:]: read_table(p) for p in sorted(rec_dir.glob(f"{which}_traces_*.csv"))}
    rank = {"input": 0, "recurrent": 1, "regular": 2, "adaptive": 3}
    order = sorted(spikes, key=lambda p: (rank.get(p, 9), p))
    panels = [("spikes", p) for p in order]
    for pop in sorted(trace_tables, key=lambda p: (rank.get(p, 9), p)):
        table = trace_tables[pop]
        for var in [v for v in table if v not in ("index", "time")]:
            panels.append(("trace", (pop, var)))
    extra = [v for v in ("V_m", "error_signal") if v in readout]
    panels += [("readout_var", v) for v in extra[:1]]
    panels.append(("readout", None))
    panels += [("readout_var", v) for v in extra[1:]]
    height = 1.2 * len(panels) + 0.8
    fig, axs = plt.subplots(len(panels), 1, sharex=True, figsize=(8, height))
    # Fixed margins: matplotlib's automatic layouts cost seconds on figures this tall.
    fig.subplots_adjust(left=0.14, right=0.98, top=1.0 - 0.5 / height, bottom=0.5 / height, hspace=0.3)
    axs = np.atleast_1d(axs)
    meta = (info.get("recordings") or {}).get(which, {})
    title = f"{'First' if which == 'first' else 'Last'} iteration"
    if meta:
        title += f" ({meta.get('iteration')}, {meta.get('phase')})"
    fig.suptitle(title, y=1.0 - 0.12 / height)
    for ax, (kind, what) in zip(axs, panels):
        if kind == "spikes":
            raster(ax, spikes[what], f"{what}\nneuron")
        elif kind == "trace":
            pop, var = what
            traces(ax, trace_tables[pop], var, f"{pop}\n{TRACE_LABELS.get(var, var)}")
        elif kind == "readout":
            readout_vs_target(ax, readout)
        else:
            traces(ax, readout, what, f"readout\n{'$v_k$ (mV)' if what == 'V_m' else r'$y_k - y^*_k$'}")
    axs[-1].set_xlabel("$t$ (ms)")
    axs[-1].ticklabel_format(axis="x", style="plain", useOffset=False)
    if len(readout.get("time", [])) > 0:
        axs[-1].set_xlim(readout["time"].min() - 1, readout["time"].max() + 1)
    for ax in axs:
        ax.yaxis.set_label_coords(-0.1, 0.5)
    name = f"dynamics_{which}.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def weight_matrices(path):
    t = read_table(path)
    result = {}
    if not t:
        return result
    for proj in dict.fromkeys(t["projection"]):
        sel = t["projection"] == proj
        result[proj] = (t["source"][sel].astype(int), t["target"][sel].astype(int), t["weight"][sel])
    return result


def plot_weights(run_dir, out_dir):
    before = weight_matrices(run_dir / "weights_initial.csv")
    after_path = run_dir / "weights.csv"
    after = weight_matrices(after_path) if after_path.exists() else {}
    names = [p for p in ("in_rec", "rec_rec", "rec_out") if p in before]
    if not names:
        return None
    labels = {"in_rec": ("input neurons", "recurrent neurons"), "rec_rec": ("recurrent neurons", "recurrent neurons"),
              "rec_out": ("recurrent neurons", "readout neurons")}
    height = 2.8 * len(names) + 0.4
    fig, axs = plt.subplots(len(names), 2, figsize=(9, height), squeeze=False)
    fig.subplots_adjust(left=0.09, right=0.86, top=1.0 - 0.55 / height, bottom=0.45 / height,
                        hspace=0.4, wspace=0.12)
    fig.suptitle("Weight matrices (white: no synapse)")
    cmap = matplotlib.colors.LinearSegmentedColormap.from_list(
        "bwr_nest", ((0.0, COLORS["blue"]), (0.5, "#ffffff"), (1.0, COLORS["red"])))
    cmap.set_bad("#ffffff")
    for row, name in enumerate(names):
        sets = [before[name]] + ([after[name]] if name in after else [])
        n_src = max(s[0].max() for s in sets) + 1
        n_tgt = max(s[1].max() for s in sets) + 1
        vmax = max(np.abs(s[2]).max() for s in sets) or 1.0
        for col, title in enumerate(("before training", "after training")):
            ax = axs[row, col]
            if col >= len(sets):
                ax.text(0.5, 0.5, "no final weights", transform=ax.transAxes, ha="center")
                ax.set_axis_off()
                continue
            src, tgt, w = sets[col]
            matrix = np.full((n_tgt, n_src), np.nan)
            matrix[tgt, src] = w
            image = ax.imshow(np.ma.masked_invalid(matrix), aspect="auto", interpolation="nearest",
                              cmap=cmap, vmin=-vmax, vmax=vmax, origin="lower")
            ax.set_xlabel(labels[name][0])
            ax.yaxis.get_major_locator().set_params(integer=True)
            if col == 0:
                ax.set_ylabel(labels[name][1])
            if row == 0:
                ax.set_title(title)
        box = axs[row, 1].get_position()
        cax = fig.add_axes([0.885, box.y0, 0.015, box.height])
        fig.colorbar(image, cax=cax, label=f"{name} (pA)")
    fig.savefig(out_dir / "weights.png", dpi=110)
    plt.close(fig)
    return "weights.png"


def plot_compare(run_dir):
    """`eprop compare` output: the families' loss (and error) curves in one figure."""
    m = read_table(run_dir / "compare.csv")
    family, it, loss, error = m["family"], m["iteration"], m["loss"], m["error"]
    has_error = np.any(np.isfinite(error))
    fig, axs = plt.subplots(2 if has_error else 1, 1, sharex=True, figsize=(7, 5 if has_error else 3.2),
                            squeeze=False)
    axs = axs[:, 0]
    colors = [COLORS["blue"], COLORS["red"], COLORS["grey"]]
    for k, name in enumerate(dict.fromkeys(family)):
        sel = family == name
        axs[0].plot(it[sel], loss[sel], "-", lw=1, color=colors[k % len(colors)], label=name)
        if has_error:
            axs[1].plot(it[sel], error[sel], "-", lw=1, color=colors[k % len(colors)], label=name)
    axs[0].set_ylabel("loss")
    if has_error:
        axs[1].set_ylabel("error (1 - accuracy)")
        axs[1].set_ylim(-0.02, 1.02)
    axs[0].legend(fontsize=8)
    axs[-1].set_xlabel("iteration")
    fig.suptitle("e-prop+ and the original e-prop on the same task")
    fig.tight_layout()
    fig.savefig(run_dir / "compare.png", dpi=120)
    plt.close(fig)
    print(f"eprop plot: wrote compare.png to {run_dir}")
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)
    run_dir = args.run_dir
    if (run_dir / "compare.csv").exists():
        return plot_compare(run_dir)
    if not (run_dir / "metrics.csv").exists():
        print(f"error: {run_dir} holds no training run (metrics.csv is missing)", file=sys.stderr)
        return 1
    out_dir = args.out or run_dir / "plots"
    # Every input is read and checked first, and the plots are drawn into a scratch folder that
    # replaces nothing until all of them succeeded: a damaged run gives one clear error and no PNG.
    scratch = out_dir / f".plots-{os.getpid()}"
    try:
        info = {}
        if (run_dir / "run.json").exists():
            try:
                info = json.loads((run_dir / "run.json").read_text())
            except (OSError, ValueError) as e:
                raise InputError(f"{run_dir / 'run.json'}: cannot read it ({e})") from None
        for path in [run_dir / "metrics.csv", *sorted(run_dir.glob("weights*.csv")),
                     *sorted((run_dir / "recordings").glob("*.csv"))]:
            read_table(path)
        scratch.mkdir(parents=True, exist_ok=True)
        written = draw_all(run_dir, scratch, info)
        for name in written:
            os.replace(scratch / name, out_dir / name)
    except InputError as e:
        print(f"error: eprop plot: {e}", file=sys.stderr)
        return 1
    except (KeyError, IndexError, ValueError, TypeError) as e:
        print(f"error: eprop plot: the files in {run_dir} are incomplete or damaged "
              f"({type(e).__name__}: {e})", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"eprop plot: wrote {', '.join(written)} to {out_dir}")
    return 0


def draw_all(run_dir, out_dir, info):
    written = []
    plot_training(run_dir, out_dir, info)
    written.append("training.png")
    for which in ("first", "last"):
        name = plot_dynamics(run_dir, out_dir, which, info)
        if name:
            written.append(name)
    name = plot_weights(run_dir, out_dir)
    if name:
        written.append(name)
    return written


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
