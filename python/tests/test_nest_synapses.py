"""GetConnections(...).set / nest.SetStatus on e-prop connections of a running network: weight and
Adam's m and v (SPEC 5.1, 8; SPEC_recording R.8 for NEST's weight check)."""

import numpy as np
import pytest

from test_nest_api import small_network


def readout_trace(nest):
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    return mm


def run(nest, conns_weight=None, matrix=None, t=40.0):
    """The small network; the inp -> rec weights set through GetConnections(...).set (a list per
    synapse) or given to Connect as a matrix. Returns readout V_m and the final weights."""
    gen, inp, rec, out = small_network(nest, in_weight=matrix)
    mm = readout_trace(nest)
    nest.Connect(mm, out)
    if conns_weight is not None:
        nest.GetConnections(inp, rec).set(weight=conns_weight)
    nest.Simulate(t)
    return mm.get("events")["V_m"], nest.GetConnections(rec, out).get("weight")


def test_weights_set_before_simulate_equal_connecting_with_them(nest):
    w = np.arange(12.0).reshape(4, 3) / 20.0 - 0.2  # (n_post, n_pre)
    connected = run(nest, matrix=w)
    nest.ResetKernel()
    # GetConnections lists by source, then target: w[target, source]
    by_source = [w[t, s] for s in range(3) for t in range(4)]
    set_live = run(nest, conns_weight=by_source)
    np.testing.assert_array_equal(connected[0], set_live[0])
    assert connected[1] == set_live[1]


def test_get_reads_live_values_and_set_writes_moments(nest):
    gen, inp, rec, out = small_network(nest)
    conns = nest.GetConnections(rec, out)
    nest.Simulate(20.0)
    live = conns.get(["weight", "optimizer"])
    assert live["weight"] != [0.2] * 4  # learned since GetConnections
    assert all(set(o) == {"m", "v"} for o in live["optimizer"])
    moments = [{"optimizer": {"m": 0.01 * k, "v": 0.5}} for k in range(4)]
    nest.SetStatus(conns, moments)
    got = conns.get("optimizer")
    assert got == [{"m": 0.01 * k, "v": 0.5} for k in range(4)]
    assert conns.get("weight") == live["weight"]
    assert nest.GetStatus(conns[1], "optimizer") == ({"m": 0.01, "v": 0.5},)
    nest.Simulate(20.0)
    changed = conns.get("weight")

    nest.ResetKernel()
    gen, inp, rec, out = small_network(nest)
    nest.Simulate(20.0)
    nest.Simulate(20.0)
    untouched = nest.GetConnections(rec, out).get("weight")
    assert all(a != b for a, b in zip(changed, untouched))


def test_writing_back_what_get_reads_changes_nothing(nest):
    gen, inp, rec, out = small_network(nest)
    nest.Simulate(17.0)
    conns = nest.GetConnections(synapse_model="eprop_synapse")
    state = conns.get(["weight", "optimizer"])
    conns.set([{"weight": w, "optimizer": o} for w, o in zip(state["weight"], state["optimizer"])])
    nest.Simulate(23.0)
    split = conns.get("weight")
    nest.ResetKernel()
    small_network(nest)
    nest.Simulate(40.0)
    assert nest.GetConnections(synapse_model="eprop_synapse").get("weight") == split


def test_weight_outside_bounds_is_stored_then_raises(nest):
    gen, inp, rec, out = small_network(nest)  # Wmin, Wmax = -100, 100
    conns = nest.GetConnections(inp, rec)
    nest.Simulate(5.0)
    before = conns.get("weight")
    with pytest.raises(nest.NESTErrors.BadProperty, match="Wmax"):
        conns.set([{"weight": 0.5}, {"weight": 500.0}] + [{"weight": 0.25}] * (len(conns) - 2))
    after = conns.get("weight")
    assert after[:2] == [0.5, 500.0] and after[2:] == before[2:]


def test_what_cannot_be_set(nest):
    gen, inp, rec, out = small_network(nest)
    nest.Simulate(2.0)
    conns = nest.GetConnections(inp, rec)
    static = nest.GetConnections(gen, inp)
    static.set(weight=1.0)  # its current value: fine
    with pytest.raises(nest.NESTError, match="static synapse"):
        static.set(weight=2.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="adam"):
        static.set({"optimizer": {"m": 0.0}})
    with pytest.raises(nest.NESTError, match="SetDefaults"):
        conns.set({"optimizer": {"eta": 0.5}})
    with pytest.raises(nest.NESTError, match="delay"):
        conns.set(delay=2.0)
    with pytest.raises(nest.NESTError, match="receptor_type"):
        conns.set(receptor_type=1)
    with pytest.raises(nest.NESTErrors.BadProperty, match="finite"):
        conns.set(weight=float("nan"))
    with pytest.raises(nest.NESTErrors.BadProperty, match="values"):
        conns.set(weight=[0.1, 0.2])
    conns.set(weight=[0.1] * len(conns), delay=1.0)
    assert conns.get("weight") == [0.1] * len(conns)


def test_moments_only_with_adam(nest):
    nest.SetDefaults("eprop_synapse", {"optimizer": {"type": "gradient_descent"}})
    inp = nest.Create("parrot_neuron", 2)
    rec = nest.Create("eprop_iaf", 2)
    nest.Connect(inp, rec, "all_to_all", {"synapse_model": "eprop_synapse", "weight": 0.5})
    conns = nest.GetConnections(inp, rec)
    assert conns.get("optimizer") == [{}] * 4
    with pytest.raises(nest.NESTErrors.BadProperty, match="adam"):
        conns.set({"optimizer": {"m": 0.0, "v": 0.0}})
    conns.set(weight=0.75)
    assert conns.get("weight") == [0.75] * 4


def test_tau_m_readout_of_bsshslm_synapses(nest):
    nest.set(eprop_update_interval=10.0, eprop_learning_window=10.0)
    gen = nest.Create("spike_generator", 2)
    inp = nest.Create("parrot_neuron", 2)
    rec = nest.Create("eprop_iaf_bsshslm_2020", 2)
    nest.Connect(gen, inp, "one_to_one")
    nest.Connect(inp, rec, "all_to_all", {"synapse_model": "eprop_synapse_bsshslm_2020",
                                          "tau_m_readout": 20.0})
    conns = nest.GetConnections(inp, rec)
    assert conns.get("tau_m_readout") == [20.0] * 4 and "tau_m_readout" in conns.get()
    conns.set(tau_m_readout=20.0)
    with pytest.raises(nest.NESTError, match="tau_m_readout"):
        conns.set(tau_m_readout=30.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="tau_m_readout"):
        nest.GetConnections(synapse_model="static_synapse").set(tau_m_readout=20.0)
