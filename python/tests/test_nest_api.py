"""eprop.nest's PyNEST semantics: node collections, devices, defaults, connections, errors."""

import numpy as np
import pytest


def small_network(nest, in_weight=None):
    """3 parrots driven by generators -> 4 eprop_iaf -> 1 readout (with window and target);
    in_weight: the (4, 3) parrot -> eprop_iaf weight matrix (default 0.3 everywhere)."""
    gen = nest.Create("spike_generator", 3, [{"spike_times": [1.0, 5.0, 9.0]},
                                              {"spike_times": [2.0, 6.0]},
                                              {"spike_times": [3.0, 4.0, 8.0]}])
    inp = nest.Create("parrot_neuron", 3)
    rec = nest.Create("eprop_iaf", 4, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.1,
                                       "surrogate_gradient_function":
                                       "piecewise_linear"})
    out = nest.Create("eprop_readout", params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0})
    target = nest.Create("step_rate_generator", params={"amplitude_times": [2.0],
                                                        "amplitude_values": [0.5]})
    window = nest.Create("step_rate_generator", 1, {"amplitude_times": [2.0],
                                                    "amplitude_values": [1.0]})
    nest.Connect(gen, inp, "one_to_one", {"synapse_model": "static_synapse", "delay": 1.0})
    nest.SetDefaults("eprop_synapse", {"optimizer": {"type": "adam", "eta": 0.01}})
    w_in = np.full((4, 3), 0.3) if in_weight is None else in_weight
    nest.Connect(inp, rec, "all_to_all", {"synapse_model": "eprop_synapse", "weight": w_in,
                                          "delay": 1.0})
    nest.Connect(rec, out, "all_to_all", {"synapse_model": "eprop_synapse", "weight": 0.2})
    nest.Connect(out, rec, "all_to_all", {"synapse_model": "eprop_learning_signal_connection",
                                          "weight": 0.5})
    nest.Connect(target, out, "one_to_one", {"synapse_model": "rate_connection_delayed",
                                             "receptor_type": 2})
    nest.Connect(window, out, "one_to_one", {"synapse_model": "rate_connection_delayed",
                                             "receptor_type": 1})
    return gen, inp, rec, out


def test_node_collections(nest):
    gen, inp, rec, out = small_network(nest)
    assert gen.tolist() == [1, 2, 3] and inp.tolist() == [4, 5, 6] and len(rec) == 4
    assert rec[1].global_id == 8 and rec[1:3].tolist() == [8, 9]
    assert rec[np.array([0, 3])].tolist() == [7, 10]
    both = inp[0] + rec[2:]
    assert both.tolist() == [4, 9, 10] and np.array(both).dtype == np.int64
    assert [n.global_id for n in rec[:2]] == [7, 8]
    assert rec.get("V_th") == (0.1, 0.1, 0.1, 0.1) and rec[0].get("V_th") == 0.1
    assert rec[0].V_th == 0.1
    assert gen[1].get("spike_times").tolist() == [2.0, 6.0]
    rec.set(V_th=[0.1, 0.2, 0.1, 0.1])
    assert rec.get("V_th") == (0.1, 0.2, 0.1, 0.1)
    rec[3].set({"V_th": 0.3})
    assert rec.get("V_th")[3] == 0.3


def test_recorders_and_repeated_simulate(nest):
    gen, inp, rec, out = small_network(nest)
    sr = nest.Create("spike_recorder")
    mm = nest.Create("multimeter", {"record_from": ["V_m"], "interval": 2.0,
                                    "start": 1.0, "stop": 15.0})
    wr = nest.Create("weight_recorder", {"senders": inp[:2], "targets": rec})
    nest.SetDefaults("eprop_synapse", {"weight_recorder": wr})
    nest.Connect(inp + rec, sr)
    nest.Connect(mm, rec[::2] + out)
    nest.Simulate(10.0)
    n_first = len(sr.get("events")["times"])
    gen[0].set(spike_times=[12.0, 15.0])  # changes a running simulation
    nest.Simulate(10.0)
    assert nest.biological_time == 20.0
    ev = sr.get("events")
    assert ev["senders"].dtype == np.int64 and ev["times"].dtype == np.float64
    assert set(ev["senders"].tolist()) <= set(inp.tolist() + rec.tolist())
    assert 12.0 + 1.0 in ev["times"][ev["senders"] == 4].tolist()
    assert len(ev["times"]) > n_first
    m = mm.get("events")
    assert sorted(set(m["senders"].tolist())) == [7, 9, 11]
    assert sorted(set(m["times"].tolist())) == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]
    assert m["V_m"].shape == m["times"].shape == m["senders"].shape
    w = wr.get("events")
    assert len(w["times"]) > 0 and set(w["senders"].tolist()) <= {4, 5}
    assert set(w["targets"].tolist()) <= set(rec.tolist())
    assert mm.n_events == len(m["times"])
    mm.n_events = 0
    assert len(mm.get("events")["times"]) == 0


def test_eta_change_reaches_existing_synapses(nest):
    gen, inp, rec, out = small_network(nest)
    nest.Simulate(5.0)
    nest.SetDefaults("eprop_synapse", {"optimizer": {"eta": 0.0}})
    frozen = nest.GetConnections(inp, rec).get("weight")
    nest.Simulate(30.0)
    later = nest.GetConnections(inp, rec).get("weight")
    # NEST applies the gradient collected before the change with the old eta once; compare runs
    nest.ResetKernel()
    gen, inp, rec, out = small_network(nest)
    nest.Simulate(35.0)
    free = nest.GetConnections(inp, rec).get("weight")
    assert later != free and len(frozen) == 12


def test_get_connections(nest):
    gen, inp, rec, out = small_network(nest)
    conns = nest.GetConnections(inp, rec)
    got = conns.get(["source", "target", "weight"])
    assert len(got["source"]) == 12 and set(got["weight"]) == {0.3}
    assert set(got["source"]) == set(inp.tolist()) and set(got["target"]) == set(rec.tolist())
    conns.set([{"optimizer": {"m": 0.0, "v": 0.0}}] * len(conns))  # NEST's examples do this
    static = nest.GetConnections(gen).get(["source", "target"])
    assert static["source"] == [1, 2, 3] and static["target"] == [4, 5, 6]


def test_node_id_arrays_with_repeats(nest):
    gen = nest.Create("spike_generator", 2, {"spike_times": [1.0]})
    inp = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(np.array([1, 1, 2]), np.array([3, 4, 4]), "one_to_one",
                 {"synapse_model": "static_synapse", "weight": np.array([1.0, 1.0, 1.0]),
                  "delay": np.array([1.0, 2.0, 1.0])})
    nest.Connect(inp, sr)
    nest.Simulate(5.0)
    ev = sr.get("events")
    assert sorted(zip(ev["senders"].tolist(), ev["times"].tolist())) == \
        [(3, 2.0), (4, 2.0), (4, 3.0)]


def test_kernel_attributes(nest):
    nest.resolution = 1.0
    assert nest.resolution == 1.0 and nest.get("resolution") == 1.0
    nest.set(rng_seed=12, total_num_virtual_procs=4, print_time=False)
    assert nest.rng_seed == 12 and nest.total_num_virtual_procs == 4
    nest.verbosity = nest.VerbosityLevel.ERROR
    assert nest.verbosity == nest.VerbosityLevel.ERROR
    assert "eprop_iaf" in nest.node_models and "eprop_synapse" in nest.synapse_models
    nest.set(eprop_update_interval=20.0, eprop_learning_window=10.0,
             eprop_reset_neurons_on_update=False)
    assert nest.eprop_learning_window == 10.0
    # One call may raise both: NEST checks the window against the interval of the same call.
    nest.set(eprop_learning_window=1258.0, eprop_update_interval=1258.0)
    assert nest.eprop_update_interval == 1258.0
    with pytest.raises(nest.NESTErrors.BadProperty, match="eprop_learning_window"):
        nest.set(eprop_learning_window=2000.0)


def test_errors(nest):
    assert issubclass(nest.NESTErrors.BadProperty, nest.NESTError)
    with pytest.raises(nest.NESTErrors.BadProperty, match="surrogate"):
        nest.Create("eprop_iaf", 1, {"surrogate_gradient_function": "no_such_function"})
    with pytest.raises(nest.NESTErrors.BadProperty, match="no_such_param"):
        nest.SetDefaults("eprop_iaf", {"no_such_param": 1.0})
    with pytest.raises(nest.NESTErrors.BadProperty):
        nest.SetDefaults("eprop_synapse", {"optimizer": {"no_such_key": 1.0}})
    with pytest.raises(nest.NESTError, match="unknown"):
        nest.Create("iaf_psc_alpha")
    with pytest.raises(nest.NESTError, match="kernel property"):
        nest.set(no_such_kernel_key=1)
    with pytest.raises(nest.NESTError, match="does not support"):
        nest.random.lognormal(0.0, 1.0)
    inp = nest.Create("parrot_neuron", 2)
    parrots = nest.Create("parrot_neuron", 2)
    rec = nest.Create("eprop_iaf", 2)
    with pytest.raises(nest.NESTError):
        nest.Connect(inp, parrots, "all_to_all", {"synapse_model": "eprop_synapse"})
    for model in ("eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta",
                  "eprop_iaf_psc_delta_adapt", "eprop_readout"):
        target = nest.Create(model)
        nest.Connect(inp, target, "all_to_all", {"synapse_model": "eprop_synapse", "delay": 1.0})
    with pytest.raises(nest.NESTError, match="does not support"):
        nest.Connect(inp, rec, {"rule": "fixed_total_number", "N": 2})
    with pytest.raises(nest.NESTError, match="shape"):
        nest.Connect(inp, rec, "all_to_all", {"weight": np.ones((3, 2))})
    with pytest.raises(nest.NESTError, match="does not support"):
        nest.CopyModel("eprop_iaf", "my_model")
    nest.Simulate(2.0)
    with pytest.raises(nest.NESTError, match="after the network was built"):
        nest.Create("eprop_iaf")
    with pytest.raises(nest.NESTError, match="cannot change after the build"):
        rec.set(eprop_isi_trace_cutoff=5.0)  # other parameters change live (test_live_parameters)
    with pytest.raises(nest.NESTError):
        nest.Simulate(0.5)
    nest.Simulate(1.0)  # still usable


def test_random_normal_uses_nest_stream(nest, shared):
    import csv
    rows = [r for r in csv.reader(open(shared / "reference-cases" / "nest_random_normal.csv"))
            if r and not r[0].startswith("#")][1:]
    for seed in (1, 12345):
        for vps in (1, 4):  # results do not depend on the virtual processes: NEST's 1-VP draws
            nest.ResetKernel()
            nest.set(rng_seed=seed, total_num_virtual_procs=vps)
            nodes = nest.Create("eprop_iaf_adapt_bsshslm_2020", 200,
                                {"tau_m": nest.random.normal(mean=30.0, std=2.0)})
            want = [float(r[3]) for r in rows if int(r[0]) == seed and int(r[1]) == 1]
            np.testing.assert_allclose(nodes.get("tau_m"), want, rtol=1e-15)
    # the stream goes on across Create calls, and the network builds and runs
    nest.ResetKernel()
    first = nest.Create("eprop_iaf", 100, {"tau_m": nest.random.normal(mean=30.0, std=2.0)})
    second = nest.Create("eprop_iaf", 100, {"tau_m": nest.random.normal(mean=30.0, std=2.0)})
    want = [float(r[3]) for r in rows if int(r[0]) == 1 and int(r[1]) == 1]
    np.testing.assert_allclose(first.get("tau_m") + second.get("tau_m"), want, rtol=1e-15)
    nest.Simulate(3.0)


def _per_node_tau_m_run(nest, model, integration, one_create):
    """A small plastic network whose recurrent tau_m is drawn per node; recurrent spikes and the
    final weights."""
    nest.ResetKernel()
    nest.set(eligibility_integration=integration, eprop_update_interval=20.0,
             eprop_learning_window=20.0)
    bsshslm = model.endswith("bsshslm_2020")
    readout = "eprop_readout_bsshslm_2020" if bsshslm else "eprop_readout"
    synapse = "eprop_synapse_bsshslm_2020" if bsshslm else "eprop_synapse"
    signal = "eprop_learning_signal_connection" + ("_bsshslm_2020" if bsshslm else "")
    gen = nest.Create("spike_generator", 3, [{"spike_times": [1.0 + k, 6.0 + 2 * k, 13.0, 22.0]}
                                             for k in range(3)])
    inp = nest.Create("parrot_neuron", 3)
    params = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.2,
              "tau_m": nest.random.normal(mean=20.0, std=6.0)}
    if one_create:
        rec = nest.Create(model, 4, params)
    else:  # one Create per node: four populations, the same draws
        rec = nest.Create(model, 1, params)
        for _ in range(3):
            rec = rec + nest.Create(model, 1, params)
    out = nest.Create(readout, 1, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0})
    target = nest.Create("step_rate_generator", 1, {"amplitude_times": [2.0],
                                                    "amplitude_values": [0.5]})
    nest.SetDefaults(synapse, {"optimizer": {"type": "adam", "eta": 0.05}})
    rng = np.random.default_rng(3)
    nest.Connect(gen, inp, "one_to_one")
    nest.Connect(inp, rec, "all_to_all", {"synapse_model": synapse,
                                          "weight": rng.normal(0.3, 0.2, (4, 3))})
    nest.Connect(rec, rec, {"rule": "all_to_all", "allow_autapses": False},
                 {"synapse_model": synapse, "weight": rng.normal(0.0, 0.2, (4, 4))})
    nest.Connect(rec, out, "all_to_all", {"synapse_model": synapse,
                                          "weight": rng.normal(0.0, 0.3, (1, 4))})
    nest.Connect(out, rec, "all_to_all", {"synapse_model": signal,
                                          "weight": rng.normal(0.0, 0.5, (4, 1))})
    nest.Connect(target, out, "one_to_one", {"synapse_model": "rate_connection_delayed",
                                             "receptor_type": 2})
    sr = nest.Create("spike_recorder")
    nest.Connect(rec, sr)
    nest.Simulate(60.0)
    ev = sr.get("events")
    weights = nest.GetConnections(synapse_model=synapse).get(["source", "target", "weight"])
    segments = sum(len(b.segments) for b in nest._kernel.blocks if b.model == model)
    return ev["senders"].tolist(), ev["times"].tolist(), weights, segments


@pytest.mark.parametrize("model,integration", [("eprop_iaf", "stepwise"),
                                               ("eprop_iaf", "closed_form"),
                                               ("eprop_iaf_adapt_bsshslm_2020", "stepwise")])
def test_per_node_tau_m_keeps_one_population(nest, model, integration):
    """tau_m drawn per node: one population with a per-neuron tau_m array in the engine, with
    the numbers of the same nodes created one by one (one population each)."""
    *one, segments_one = _per_node_tau_m_run(nest, model, integration, True)
    *split, segments_split = _per_node_tau_m_run(nest, model, integration, False)
    assert segments_one == 1 and segments_split == 4
    assert len(one[0]) > 5  # the recurrent neurons spike
    assert one[:2] == split[:2]
    assert one[2]["source"] == split[2]["source"] and one[2]["target"] == split[2]["target"]
    np.testing.assert_allclose(one[2]["weight"], split[2]["weight"], rtol=1e-12)


def test_eprop_synapse_delays_are_checked_at_connect(nest):
    """NEST refuses an e-prop synapse whose delay is not one step in Connect, also when only one
    entry of a per-connection delay array is wrong."""
    pre = nest.Create("parrot_neuron", 3)
    post = nest.Create("eprop_iaf", 3)
    with pytest.raises(nest.NESTError, match="delay"):
        nest.Connect(pre, post, "one_to_one", {"synapse_model": "eprop_synapse",
                                               "weight": [0.1, 0.2, 0.3],
                                               "delay": np.array([1.0, 2.0, 1.0])})
    nest.Connect(pre, post, "one_to_one", {"synapse_model": "eprop_synapse",
                                           "delay": np.array([1.0, 1.0, 1.0])})


def test_drawn_parameters_are_checked_in_create(nest):
    """A drawn tau_m <= 0 on any node (here: most of them, std 100) raises BadProperty in
    Create, as NEST checks every node."""
    with pytest.raises(nest.NESTErrors.BadProperty, match="tau_m"):
        nest.Create("eprop_iaf", 50, {"tau_m": nest.random.normal(mean=1.0, std=100.0)})
    with pytest.raises(nest.NESTErrors.BadProperty, match="tau_m"):
        nest.Create("eprop_iaf", 3, [{"tau_m": 5.0}, {"tau_m": 6.0}, {"tau_m": -1.0}])
