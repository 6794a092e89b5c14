"""`eprop bench` end to end at a tiny scale: JSON records with the documented fields, the figure,
and the refusals (bad sizes, in-degrees, memory) before anything is built.

usage: test_bench.py EPROP_EXECUTABLE
"""

import json
import pathlib
import subprocess
import sys
import tempfile


def run(eprop, *args):
    return subprocess.run([eprop, "bench", *args], capture_output=True, text=True, timeout=300)


def main(eprop):
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "bench"
        r = run(eprop, "--out", str(out), "--n-rec", "100", "200", "--indegree-rec", "20",
                "--time", "50", "--quiet")
        assert r.returncode == 0, r.stderr
        records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
        assert len(records) == 8, records
        for rec in records:
            for key in ("variant", "n_rec", "spikes", "wall_s_per_sim_s", "synaptic_events",
                        "phases_s_per_sim_s", "peak_memory_bytes", "bytes_per_synapse", "synapses",
                        "cpu_s", "cpu_s_per_sim_s", "events_per_cpu_s", "ns_per_event_cpu"):
                assert key in rec, (key, rec)
            assert set(rec["phases_s_per_sim_s"]) >= {"update", "delivery", "gradient_optimizer",
                                                      "communication", "io"}
        assert {r["variant"] for r in records} == {"eprop_plus", "eprop_original", "static", "stdp"}
        for n in (100, 200):
            counts = {r["spikes"] for r in records if r["n_rec"] == n}
            assert counts == {0}, counts  # 10 Hz, first spikes at 100 ms: none in 2 + 50 ms
        png = out / "bench.png"
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        r = run(eprop, "--out", str(out), "--n-rec", "100", "--time", "150", "--variants", "static",
                "--no-plot", "--quiet")
        assert r.returncode == 0, r.stderr
        rec = json.loads((out / "records.jsonl").read_text())
        assert rec["spikes"] == 100, rec  # stamps 100 ms: one spike per neuron in 2 + 150 ms

        bad = [
            (["--n-rec", "0"], "'n_rec' = 0"),
            (["--n-rec", "100", "--indegree-rec", "100"], "'indegree_rec' = 100 must be between 1"),
            (["--n-rec", "100", "--rate-rec", "0"], "'rate_rec'"),
            (["--n-rec", "100", "--rate-in", "0"], "'rate_in'"),
            (["--n-rec", "100", "--indegree-in", "11"], "'indegree_in' = 11 must be between 1"),
            (["--n-rec", "100000", "--memory-limit", "0.01"], "needs about"),
        ]
        for args, message in bad:
            r = run(eprop, "--out", str(out / "bad"), *args)
            assert r.returncode == 1 and message in r.stderr, (args, r.returncode, r.stderr)
            assert not (out / "bad").exists(), args  # refused before anything was written

        r = run(eprop, "--estimate", "--n-rec", "1000", "2000000", "--indegree-rec", "100")
        assert r.returncode == 0 and "memory_GiB" in r.stdout, r.stdout + r.stderr
        assert len([l for l in r.stdout.splitlines() if l.startswith("eprop_plus")]) == 2
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
