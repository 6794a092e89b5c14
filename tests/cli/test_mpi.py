#!/usr/bin/env python3
"""Issue 11 through the CLI: `eprop run` under mpirun.

1. Every output file is byte-identical for every ranks x threads combination (1x1 without
   mpirun, 1x2, 2x1, 2x2, 3x1, 3x2, 4x1) on the Appendix B networks, both integrations, and on
   NEST's reference cases of SPEC_recording when ../shared is present.
2. Bad input under mpirun: every rank exits non-zero within seconds, the message printed once.
3. Failure of the job: Ctrl-C or SIGTERM to mpirun stops `eprop run` on every rank within
   seconds (nothing written) and `eprop train` with a checkpoint that `--resume` under as many
   ranks continues to the losses and weights of an uninterrupted run; a rank killed with SIGKILL
   ends the whole job within seconds.

usage: test_mpi.py EPROP MPIRUN NETWORKS_DIR SHARED_DIR
"""
import filecmp
import json
import os
import shutil
import signal
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
    stopped under 2 ranks and resumed under 1 rank of 2 threads, 2 or 3 ranks (checkpoints do
    not depend on the split)."""
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
        if ranks == 1:  # and on another thread count
            again = subprocess.run([EPROP, *args, "--threads", "2"], env=ENV,
                                   capture_output=True, text=True, timeout=300)
        else:
            again = mpirun(ranks, args)
        if again.returncode != 0 or losses_and_weights(resumed) != expected:
            failures.append(f"train: stopped under 2 ranks, resumed under {ranks} differs: "
                            f"{again.stderr}")
    print("train: 2 ranks, stopped and resumed under 1, 2 and 3 ranks compared")


# A run that does not end by itself (1e7 ms), under 2 ranks.
LONG_RUN = """
[[population]]
name = "in"
model = "spike_generator"
n = 2
spike_times = [[1.0, 3.0], [2.0]]

[[population]]
name = "out"
model = "eprop_iaf"
n = 300

[[connection]]
source = "in"
target = "out"
weight = 200.0
delay = 1.0

[[recorder]]
type = "spike_recorder"
population = "out"

[run]
simulate = [1e7]
"""
# Iterations of a few seconds: a signal inside the third one abandons it (SIGINT test of
# test_robustness.py, here across ranks).
LONG_SINE = ["train", "sine", "--set", "training.sequence=60000", "--set", "network.n_rec=200",
             "--set", "training.n_iter=3", "--checkpoint-every", "1000", "--quiet"]
# Open MPI's mpirun answers SIGINT and SIGTERM by sending SIGTERM to every rank (SIGKILL one
# second later) and, like a rank's death, by ending the job; each rank must be gone by then.
PROMPT_SECONDS = 20


def processes_with(marker: str):
    """Ids of the processes whose command line contains marker (ranks left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_text():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def children(pid: int):
    """The direct children of pid (mpirun's ranks)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return found


def simulating(proc):
    """Both ranks of mpirun `proc` have used half a second of CPU time: past the network's
    construction (milliseconds), inside the simulation."""
    ranks = children(proc.pid)
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        used = [sum(int(x) for x in (Path("/proc") / str(pid) / "stat").read_text()
                    .rsplit(")", 1)[1].split()[11:13]) / ticks for pid in ranks]
    except (OSError, ValueError):
        return False
    return len(used) == 2 and min(used) > 0.5


def signal_job(name, args, ready, send, marker):
    """Starts `mpirun -np 2 eprop ARGS`, waits until ready(proc), calls send(proc);
    (exit status, stderr) once mpirun has ended, after checking that it ended promptly and left
    no rank behind."""
    command = [MPIRUN, "-np", "2", "--oversubscribe", "--bind-to", "none", EPROP, *args]
    proc = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 240
    while not ready(proc) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        failures.append(f"{name}: the job ended before the signal: {proc.communicate()[1][-300:]}")
        return None, ""
    sent = time.monotonic()
    send(proc)
    try:
        _, stderr = proc.communicate(timeout=PROMPT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        failures.append(f"{name}: mpirun still running {PROMPT_SECONDS} s after the signal")
    seconds = time.monotonic() - sent
    time.sleep(0.5)
    left = processes_with(marker)
    if left:
        failures.append(f"{name}: processes left behind: {left}")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    print(f"{name}: mpirun exit {proc.returncode} {seconds:.1f} s after the signal")
    return proc.returncode, stderr


def check_signals_run(tmp):
    """Ctrl-C / SIGTERM to mpirun inside one long simulate: every rank stops, nothing written."""
    network = tmp / "long.toml"
    network.write_text(LONG_RUN)
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = tmp / f"long-run-{sig.name}"
        code, stderr = signal_job(f"run {sig.name}", ["run", str(network), "--out", str(out)],
                                  simulating, lambda p, sig=sig: p.send_signal(sig), str(out))
        if code == 0:
            failures.append(f"run {sig.name}: exit 0")
        if "interrupted" not in stderr or out.exists():
            failures.append(f"run {sig.name}: rank 0 did not stop itself, or {out} was written: "
                            f"{stderr[-300:]}")


def check_rank_killed(tmp):
    """SIGKILL to one rank (each in turn) ends the whole job."""
    network = tmp / "long.toml"
    network.write_text(LONG_RUN)
    for victim in (0, 1):
        out = tmp / f"killed-rank-{victim}"

        def kill_rank(proc, victim=victim):
            ranks = sorted(children(proc.pid))
            if len(ranks) != 2:
                failures.append(f"kill rank {victim}: mpirun has children {ranks}")
                proc.kill()
                return
            os.kill(ranks[victim], signal.SIGKILL)

        code, _ = signal_job(f"SIGKILL to rank {victim}", ["run", str(network), "--out", str(out)],
                             simulating, kill_rank, str(out))
        if code == 0:
            failures.append(f"kill rank {victim}: exit 0")


def check_signals_train(tmp):
    """Ctrl-C to `mpirun -np 2 eprop train` inside an iteration: a checkpoint of the completed
    iterations that `--resume` under 2 ranks continues to the numbers of an uninterrupted run."""
    out = tmp / "train-interrupted"

    def in_third(_proc):
        metrics = out / "metrics.csv"
        return metrics.exists() and len(metrics.read_text().splitlines()) >= 3

    signal_job("train SIGINT", [*LONG_SINE, "--out", str(out)], in_third,
               lambda p: p.send_signal(signal.SIGINT), str(out))
    progress = out / "checkpoint" / "progress.json"
    if not progress.exists() or not (out / "checkpoint" / "state.rank1.bin").exists():
        failures.append("train SIGINT: no checkpoint of both ranks")
        return
    if json.loads(progress.read_text())["completed_iterations"] != 2:
        failures.append(f"train SIGINT: checkpoint {progress.read_text()[:200]}")
    if json.loads((out / "run.json").read_text())["status"] != "interrupted":
        failures.append("train SIGINT: run.json does not say interrupted")
    resumed = mpirun(2, ["train", "--resume", str(out), "-q"], timeout=300)
    reference = tmp / "train-uninterrupted"
    direct = subprocess.run([EPROP, *LONG_SINE, "--out", str(reference)], env=ENV,
                            capture_output=True, text=True, timeout=300)
    if resumed.returncode != 0 or direct.returncode != 0:
        failures.append(f"train SIGINT: resume {resumed.returncode} {resumed.stderr[-300:]}, "
                        f"reference {direct.returncode} {direct.stderr[-300:]}")
        return
    if losses_and_weights(out) != losses_and_weights(reference):
        failures.append("train SIGINT: the resumed run differs from an uninterrupted one")
    print("train SIGINT: checkpoint under 2 ranks resumed bit-identically")


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
    check_signals_run(tmp)
    check_rank_killed(tmp)
    check_signals_train(tmp)

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
