#!/usr/bin/env python3
"""Issue 11's scaling study: `eprop bench` (the paper's random network) and N-MNIST training under
mpirun with 1 and 2 ranks (3 and 4 oversubscribed, for correctness only), strong and weak
scaling, time split by phase, bytes exchanged per step, memory per rank. Writes
bench/scaling/results.json and regenerates docs/scaling.md (measurements, then the performance
model fitted to them).

usage: run_scaling.py [--eprop build/release/eprop] [--quick] [--shared ../shared]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def mpirun(ranks, args):
    return ["mpirun", "-np", str(ranks), "--oversubscribe", "--bind-to", "none", *args]


def bench(eprop, ranks, n_rec, indegree, variant, time_ms, threads=1):
    with tempfile.TemporaryDirectory() as tmp:
        args = [eprop, "bench", "--out", tmp, "--no-plot", "--quiet", "--variants", variant,
                "--n-rec", str(n_rec), "--indegree-rec", str(indegree), "--time", str(time_ms),
                "--threads", str(threads)]
        subprocess.run(mpirun(ranks, args), env=ENV, check=True, capture_output=True, text=True)
        record = json.loads((Path(tmp) / "records.jsonl").read_text().splitlines()[0])
    record.setdefault("ranks", 1)
    return record


def nmnist(eprop, ranks, shared, iterations):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        args = [eprop, "train", "nmnist", "--out", str(out), "--quiet", "--set",
                f"data.root={shared}/data/nmnist-small", "--set", f"training.n_iter={iterations}",
                "--set", "run.checkpoint_every=0"]
        start = time.monotonic()
        subprocess.run(mpirun(ranks, args), env=ENV, check=True, capture_output=True, text=True)
        wall = time.monotonic() - start
        run = json.loads((out / "run.json").read_text())
    return {"ranks": ranks, "wall_s": wall, "iterations": run["iterations"]["completed"],
            "final_loss": run["final"]["loss"], "peak_memory_bytes": run["peak_memory_bytes"]}


def load():
    return os.getloadavg()[0]


def study(eprop, quick, shared):
    time_ms = 200 if quick else 1000
    strong_n, indegree = (20000, 500) if quick else (50000, 1000)
    results = {"date": datetime.date.today().isoformat(), "machine": machine(),
               "load_start": load(), "strong": [], "weak": [], "nmnist": []}
    for variant in ("eprop_plus", "static"):
        for ranks in (1, 2, 3, 4):
            r = bench(eprop, ranks, strong_n, indegree, variant, time_ms)
            r["oversubscribed"] = ranks > os.cpu_count()
            results["strong"].append(r)
            print(f"strong {variant} ranks={ranks}: {r['wall_s_per_sim_s']:.3f} s/sim s", flush=True)
    for ranks in (1, 2):
        r = bench(eprop, ranks, strong_n // 2 * ranks, indegree, "eprop_plus", time_ms)
        results["weak"].append(r)
        print(f"weak ranks={ranks}: {r['wall_s_per_sim_s']:.3f} s/sim s", flush=True)
    data = Path(shared) / "data" / "nmnist-small"
    if data.exists():
        for ranks in (1, 2):
            r = nmnist(eprop, ranks, Path(shared).resolve(), 3 if quick else 10)
            results["nmnist"].append(r)
            print(f"nmnist ranks={ranks}: {r['wall_s']:.1f} s", flush=True)
    results["load_end"] = load()
    return results


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eprop", default=str(ROOT / "build/release/eprop"))
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--quick", action="store_true", help="smaller network and shorter runs")
    a = parser.parse_args()
    results = study(a.eprop, a.quick, a.shared)
    results["command"] = "python3 bench/scaling/run_scaling.py" + (" --quick" if a.quick else "")
    out = ROOT / "bench" / "scaling" / "results.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    subprocess.run([sys.executable, str(ROOT / "bench" / "scaling" / "write_scaling_doc.py")],
                   check=True)
