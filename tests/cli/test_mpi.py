#!/usr/bin/env python3
"""Issue 11 through the CLI: `eprop run` under mpirun.

1. Every output file is byte-identical for every ranks x threads combination (1x1 without
   mpirun, 1x2, 2x1, 2x2, 3x1, 3x2, 4x1) on the Appendix B networks, both integrations, and on
   NEST's reference cases of SPEC_recording when ../shared is present.
2. Bad input under mpirun: every rank exits non-zero within seconds, the message printed once.

usage: test_mpi.py EPROP MPIRUN NETWORKS_DIR SHARED_DIR
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EPROP, MPIRUN, NETWORKS, SHARED = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
COMBINATIONS = [(1, 2), (2, 1), (2, 2), (3, 1), (3, 2), (4, 1)]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
failures = []


def mpirun(ranks, args, timeout=120):
    command = [MPIRUN, "-np", str(ranks), "--oversubscribe", "--bind-to", "none", EPROP, *args]
    return subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=timeout)


def run(ranks, threads, network, out, extra=()):
    args = ["run", str(network), "--out", str(out), "--threads", str(threads), "-q", *extra]
    if ranks == 0:  # no launcher at all
        return subprocess.run([EPROP, *args], env=ENV, capture_output=True, text=True, timeout=120)
    return mpirun(ranks, args)


def same_files(a: Path, b: Path):
    names_a = sorted(p.name for p in a.iterdir())
    names_b = sorted(p.name for p in b.iterdir())
    if names_a != names_b:
        return f"files differ: {names_a} vs {names_b}"
    _, mismatch, errors = filecmp.cmpfiles(a, b, names_a, shallow=False)
    return f"contents differ: {mismatch + errors}" if mismatch or errors else None


def check_invariance(name, network, tmp, extra=()):
    reference = tmp / f"{name}-serial"
    result = run(0, 1, network, reference, extra)
    if result.returncode != 0:
        failures.append(f"{name}: serial run failed: {result.stderr}")
        return
    for ranks, threads in COMBINATIONS:
        out = tmp / f"{name}-{ranks}x{threads}"
        result = run(ranks, threads, network, out, extra)
        if result.returncode != 0:
            failures.append(f"{name} {ranks}x{threads}: exit {result.returncode}: {result.stderr}")
            continue
        difference = same_files(reference, out)
        if difference:
            failures.append(f"{name} {ranks}x{threads}: {difference}")
    print(f"{name}: {len(COMBINATIONS)} combinations compared")


def check_failure(name, args, expect_in_message, ranks=3):
    start = time.monotonic()
    result = mpirun(ranks, args, timeout=60)
    seconds = time.monotonic() - start
    printed = result.stderr.count("error:")
    if result.returncode == 0:
        failures.append(f"{name}: exit 0 under mpirun")
    if expect_in_message not in result.stderr:
        failures.append(f"{name}: message lacks {expect_in_message!r}: {result.stderr}")
    if printed != 1:
        failures.append(f"{name}: the error was printed {printed} times: {result.stderr}")
    if seconds > 30:
        failures.append(f"{name}: took {seconds:.0f} s")
    print(f"{name}: exit {result.returncode} after {seconds:.1f} s")


def train(ranks, out, *extra):
    args = ["train", "sine", "--set", "training.n_iter=4", "--out", str(out), "-q", *extra]
    if ranks == 0:
        return subprocess.run([EPROP, *args], env=ENV, capture_output=True, text=True, timeout=300)
    return mpirun(ranks, args)


def losses_and_weights(out: Path):
    rows = [line.split(",")[:3] for line in (out / "metrics.csv").read_text().splitlines()]
    return rows, (out / "weights.csv").read_bytes()


def check_training(tmp):
    """eprop train under 2 ranks: the losses and weights of one process, also when the run is
    stopped under 2 ranks and resumed under 1, 2 or 3 ranks (checkpoints do not depend on the
    split)."""
    serial = tmp / "train-serial"
    if train(0, serial).returncode != 0:
        failures.append("train: serial run failed")
        return
    expected = losses_and_weights(serial)
    direct = tmp / "train-np2"
    result = train(2, direct)
    if result.returncode != 0 or losses_and_weights(direct) != expected:
        failures.append(f"train: 2 ranks differ from one process: {result.stderr}")
    stopped = tmp / "train-np2-stopped"
    first = train(2, stopped, "--stop-after", "2")
    if first.returncode != 0 or not (stopped / "checkpoint" / "state.rank1.bin").exists():
        failures.append(f"train: no per-rank checkpoint: {first.stderr}")
        return
    for ranks in (1, 2, 3):
        resumed = tmp / f"train-np2-resumed-np{ranks}"
        shutil.copytree(stopped, resumed)
        args = ["train", "--resume", str(resumed), "-q"]
        if ranks == 1:
            again = subprocess.run([EPROP, *args], env=ENV, capture_output=True, text=True,
                                   timeout=300)
        else:
            again = mpirun(ranks, args)
        if again.returncode != 0 or losses_and_weights(resumed) != expected:
            failures.append(f"train: stopped under 2 ranks, resumed under {ranks} differs: "
                            f"{again.stderr}")
    print("train: 2 ranks, stopped and resumed under 1, 2 and 3 ranks compared")


with tempfile.TemporaryDirectory() as tmp_name:
    tmp = Path(tmp_name)
    networks = sorted(NETWORKS.glob("appendix_b_*.toml"))
    for network in networks[:3]:
        check_invariance(network.stem, network, tmp)
    check_invariance("appendix_b_closed_form", networks[0], tmp, ["--integration", "closed_form"])
    cases = sorted((SHARED / "reference-cases").glob("*/net.toml")) if SHARED.exists() else []
    for net in cases[:4]:
        check_invariance(f"case-{net.parent.name}", net, tmp)
    if not cases:
        print("../shared absent: NEST's reference cases skipped")

    check_training(tmp)

    bad = tmp / "bad.toml"
    bad.write_text(networks[0].read_text().replace("[kernel]", "[kernel]\nthreads = -3", 1))
    check_failure("bad field", ["run", str(bad), "--out", str(tmp / "bad")], "threads")
    check_failure("missing file", ["run", str(tmp / "absent.toml"), "--out", str(tmp / "x")],
                  "absent.toml")
    taken = tmp / "taken"
    taken.mkdir()
    (taken / "keep.csv").write_text("x\n")
    check_failure("out not empty (rank 0 only)", ["run", str(networks[0]), "--out", str(taken)],
                  "not empty")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("all MPI CLI checks passed")
