"""Python under mpirun (issue 11): ``mpirun -np 2 python3 script.py`` with eprop and eprop.nest
runs one simulation across the ranks (the module starts MPI through the engine's MpiSession),
with the numbers of one process on every rank and errors raised on every rank. CTest runs this
file under ``mpirun -np 2`` (label mpi); started without a launcher it skips."""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import eprop  # noqa: E402
import eprop.nest as nest  # noqa: E402
import sine_scripts  # noqa: E402

pytestmark = pytest.mark.skipif(eprop.mpi_size() < 2,
                                reason="run under mpirun -np 2 (CTest label mpi)")

# SPEC 13.2 (R1): NEST's losses of the eprop_iaf / Adam regression test.
R1 = [0.14000491891386, 0.28735818029752, 0.22263713699860, 0.23015072431384, 0.17565248170694]


def nest_run():
    """The R1 network through eprop.nest: losses, final weights, recurrent spikes."""
    losses = sine_scripts.event_driven(nest, "eprop_iaf", "adam")
    conns = nest.GetConnections(synapse_model="eprop_synapse").get(["source", "target", "weight"])
    return {"losses": losses.tolist(), "weights": conns}


def native_network():
    """A small native network: spikes, a multimeter, a weight recorder and final weights."""
    net = eprop.Network(precision="double", eligibility_integration="stepwise")
    gen = net.create("spike_generator", 2, spike_times=[[1, 4, 7, 12], [2, 3, 9]])
    inp = net.create("parrot_neuron", 2)
    rec = net.create("eprop_iaf", 5, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.1})
    out = net.create("eprop_readout", 1, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0})
    target = net.create("step_rate_generator", 1, amplitude_times=[[2.0]],
                        amplitude_values=[[0.5]])
    opt = {"type": "adam", "eta": 0.05}
    net.connect(gen, inp, "one_to_one")
    c_in = net.connect(inp, rec, weight=np.linspace(0.1, 0.4, 10).reshape(5, 2),
                       synapse="eprop_synapse", optimizer=opt)
    net.connect(rec, out, weight=[[0.3, -0.2, 0.25, 0.1, -0.1]], synapse="eprop_synapse",
                optimizer=opt)
    net.connect(out, rec, weight=[[0.5], [-0.4], [0.3], [0.2], [-0.1]],
                synapse="eprop_learning_signal_connection")
    net.connect(target, out, synapse="rate_connection_delayed", receptor_type=2)
    spikes = net.record("spike_recorder", rec)
    trace = net.record("multimeter", rec, ["V_m", "learning_signal"])
    wlog = net.record("weight_recorder", connection=c_in)
    return net.build(), gen, c_in, spikes, trace, wlog


def native_run(resume_from=None):
    """native_network for 40 ms (or its last 20 ms after loading the state in resume_from)."""
    sim, gen, c_in, spikes, trace, wlog = native_network()
    if resume_from is None:
        sim.simulate(20.0)
        sim.set_spike_times(gen, [[25.0, 30.0], [26.0]])
    else:
        sim.load_state(resume_from)
    sim.simulate(20.0)
    r = sim.recordings()
    return {"spikes": r[spikes]["time"].tolist(), "senders": r[spikes]["index"].tolist(),
            "V_m": r[trace]["values"]["V_m"].tolist(),
            "logged": r[wlog]["weight"].tolist(), "weights": sim.weights(c_in)["weight"].tolist()}


def one_process(resume_from=None):
    """The same runs in a process of its own, started without the launcher's environment."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}
    runs = ("{'native': t.native_run(%r)}" % str(resume_from) if resume_from
            else "{'nest': t.nest_run(), 'native': t.native_run()}")
    code = ("import json, sys; sys.path.insert(0, %r); import test_python_mpi as t; "
            "print(json.dumps(%s))" % (str(pathlib.Path(__file__).resolve().parent), runs))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def serial():
    return one_process()


def test_the_module_spans_both_ranks():
    assert eprop.mpi_size() == 2 and eprop.mpi_rank() in (0, 1)
    assert nest.NumProcesses() == 2 and nest.Rank() == eprop.mpi_rank()


def test_nest_layer_equals_one_process_and_nest(serial):
    got = nest_run()
    np.testing.assert_allclose(got["losses"], R1, rtol=1e-8)
    assert got == serial["nest"]  # bit for bit, weights gathered from both ranks


def test_native_api_equals_one_process(serial):
    got = native_run()
    assert len(got["spikes"]) > 3 and len(got["logged"]) > 3
    assert got == serial["native"]


def test_a_state_saved_by_two_ranks_resumes_in_one_process(serial):
    """save_state under 2 ranks writes one file (every rank's part) that one process loads."""
    path = pathlib.Path(tempfile.gettempdir()) / f"eprop-mpi-state-{os.getppid()}.bin"
    sim, gen, *_ = native_network()
    sim.simulate(20.0)
    sim.set_spike_times(gen, [[25.0, 30.0], [26.0]])
    sim.save_state(str(path))
    assert sim.save_state() == path.read_bytes()  # the same bytes on every rank
    try:
        assert one_process(resume_from=path)["native"] == serial["native"]
        assert native_run(resume_from=str(path)) == serial["native"]  # and on both ranks
    finally:
        if eprop.mpi_rank() == 0:
            path.unlink(missing_ok=True)


def test_errors_raise_on_every_rank():
    nest.ResetKernel()
    with pytest.raises(nest.NESTErrors.BadProperty, match="tau_m"):
        nest.Create("eprop_iaf", 1, {"tau_m": -1.0})
    net = eprop.Network()
    net.create("eprop_iaf", 3, {"V_th": -80.0, "V_min": -70.0})
    with pytest.raises(eprop.ConfigError, match="V_th"):
        net.build()
    nest.ResetKernel()
    nest.Create("eprop_iaf", 2)
    with pytest.raises(nest.NESTError):
        nest.Simulate(0.5)  # not a multiple of the resolution
    nest.Simulate(2.0)  # the ranks are still in step
    assert nest.biological_time == 2.0


def test_ctrl_c_on_one_rank_interrupts_every_rank():
    """A SIGINT that reaches rank 0 only: every rank raises KeyboardInterrupt at the same time
    step (the ranks agree on chunk lengths and interrupts) and the simulation stays usable."""
    import signal
    import threading
    net = eprop.Network(precision="double")
    rec = net.create("eprop_iaf", 400, {"I_e": 0.5, "V_th": 1.0, "tau_m": 20.0})
    net.connect(rec, rec, weight=0.001, synapse="eprop_synapse", allow_autapses=False)
    sim = net.build()
    if eprop.mpi_rank() == 0:
        threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        sim.simulate(1e7)
    reached = sim.time
    assert 0 < reached < 1e7
    shared = pathlib.Path(f"/tmp/eprop_python_mpi_{os.getppid()}")  # the ranks' common parent
    shared.mkdir(exist_ok=True)
    (shared / str(eprop.mpi_rank())).write_text(repr(reached))
    sim.simulate(5.0)  # a collective: the ranks are in step again
    assert sim.time == reached + 5.0
    assert {(shared / str(r)).read_text() for r in range(2)} == {repr(reached)}
    sim.simulate(1.0)  # both have read
    if eprop.mpi_rank() == 0:
        for r in range(2):
            (shared / str(r)).unlink()
        shared.rmdir()


def test_train_runs_distributed_with_nests_losses():
    """eprop.train under mpirun: rank 0 writes the files, every rank gets the metrics."""
    shared = pathlib.Path(os.environ.get("EPROP_SHARED_DIR", "../shared"))
    baseline = shared / "baseline" / "nest_baseline_losses.csv"
    if not baseline.exists():
        pytest.skip(f"shared baseline absent: {baseline}")
    rows = [r.split(",") for r in baseline.read_text().splitlines() if r and r[0].isdigit()]
    out = pathlib.Path(f"/tmp/eprop_python_mpi_train_{os.getppid()}")
    result = eprop.train("sine", config={"training.n_iter": 2, "data.numpy_compatible": True},
                         out=out)
    np.testing.assert_allclose(result["metrics"]["loss"], [float(r[1]) for r in rows[:2]],
                               rtol=1e-8)
    nest.ResetKernel()
    nest.Create("parrot_neuron")
    nest.Simulate(1.0)  # a collective: rank 0 has written everything
    assert (out / "metrics.csv").exists()
    nest.Simulate(1.0)  # every rank has looked
    if eprop.mpi_rank() == 0:
        import shutil
        shutil.rmtree(out)
