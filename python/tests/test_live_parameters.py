"""Neuron parameters set on a running simulation (NEST's SetStatus between Simulate calls):
Simulation.set_neuron_parameters in the native API and nodes.set / SetStatus in eprop.nest.

References: the analytic membrane solution with the new parameters from the step of the change;
a simulation whose state is handed to one built with the new parameters (NEST's synapses read
their target's current parameters at the next gradient, so the pending interval uses the new
propagators in both); per-synapse traces from the build; thread counts; saved states."""

import numpy as np
import pytest

import eprop


def membrane(tau_m=20.0, n=3, C_m=2.0, I_e=1.5, E_L=0.0, threads=1, precision="double",
             model="eprop_iaf"):
    # No reset at the _bsshslm_2020 models' interval starts: the membrane alone.
    net = eprop.Network(resolution=1.0, precision=precision, threads=threads,
                        eligibility_integration="stepwise", eprop_reset_neurons_on_update=False)
    params = {"C_m": C_m, "E_L": E_L, "V_m": E_L, "tau_m": tau_m, "I_e": I_e}
    if "readout" not in model:
        params["V_th"] = 1e9
    rec = net.create(model, n, params, name="rec")
    net.record("multimeter", rec, ["V_m"])
    return net.build()


def trace(sim, j):
    r = sim.recordings()[0]
    keep = r["index"] == j
    return r["time"][keep], r["values"]["V_m"][keep]


def relax(v0, v_inf, tau_m, steps):
    """V after each of `steps` steps of dt = 1 ms from v0 towards v_inf (constant input)."""
    return v_inf + (v0 - v_inf) * np.exp(-np.arange(1, steps + 1) / tau_m)


@pytest.mark.parametrize("model", ["eprop_iaf", "eprop_iaf_bsshslm_2020"])
def test_leak_follows_the_new_tau_m_from_the_step_of_the_change(model):
    """Neuron 1 gets tau_m 5 after 10 ms: from stamp 11 on it relaxes with tau 5 towards
    I_e tau_m / C_m; neurons 0 and 2 keep tau_m 20 (rtol 1e-12)."""
    C_m, I_e = 2.0, 1.5
    sim = membrane(C_m=C_m, I_e=I_e, model=model)
    sim.simulate(10.0)
    sim.set_neuron_parameters("rec", 1, 1, "tau_m", [5.0])
    sim.simulate(20.0)
    # V(1) = 0 (the input current enters one step late), then relaxation with tau 20.
    before = np.concatenate([[0.0], relax(0.0, I_e * 20.0 / C_m, 20.0, 28)])
    for j in (0, 2):
        t, v = trace(sim, j)
        np.testing.assert_allclose(v, before[:len(v)], rtol=1e-12, atol=1e-12)
    t, v = trace(sim, 1)
    np.testing.assert_allclose(v[:10], before[:10], rtol=1e-12, atol=1e-12)
    after = relax(before[9], I_e * 5.0 / C_m, 5.0, len(v) - 10)
    np.testing.assert_array_equal(t[10:], np.arange(11, 11 + len(after)))
    np.testing.assert_allclose(v[10:], after, rtol=1e-12)


@pytest.mark.parametrize("model", ["eprop_iaf", "eprop_readout", "eprop_iaf_bsshslm_2020",
                                   "eprop_readout_bsshslm_2020"])
def test_E_L_keeps_V_m_absolute_and_C_m_I_e_act_from_the_next_step(model):
    """NEST keeps the absolute V_m when E_L changes (SPEC 1.4); C_m and I_e enter the next
    steps. V relaxes from its value at the change towards E_L' + I_e' tau_m / C_m'."""
    sim = membrane(C_m=2.0, I_e=1.5, tau_m=20.0, n=1, model=model)
    sim.simulate(10.0)
    for name, value in (("E_L", -3.0), ("C_m", 4.0), ("I_e", 2.0)):
        sim.set_neuron_parameters("rec", 0, 1, name, [value])
    sim.simulate(10.0)
    t, v = trace(sim, 0)
    v10 = v[9]  # stamp 10, the last before the change (sampled in the next step)
    np.testing.assert_allclose(v[:10], np.concatenate([[0.0], relax(0.0, 15.0, 20.0, 9)]),
                               rtol=1e-12, atol=1e-12)
    # The input current of the first step after the change was set in the step before it.
    first = 1.5 * 20.0 / 4.0 * (1 - np.exp(-1 / 20.0)) + (v10 + 3.0) * np.exp(-1 / 20.0) - 3.0
    np.testing.assert_allclose(v[10], first, rtol=1e-12)
    np.testing.assert_allclose(v[11:], relax(first, -3.0 + 2.0 * 20.0 / 4.0, 20.0, len(v) - 11),
                               rtol=1e-12)


def test_V_m_and_adaptation_set_the_state():
    sim = membrane(n=2, model="eprop_iaf_adapt")
    sim.simulate(5.0)
    sim.set_neuron_parameters("rec", 1, 1, "V_m", [7.0])
    sim.set_neuron_parameters("rec", 0, 2, "adaptation", [0.5])
    sim.simulate(5.0)
    v = {j: trace(sim, j)[1][5] for j in (0, 1)}  # stamp 6, the first step after the change
    np.testing.assert_allclose(v[1], 1.5 * 20 / 2 * (1 - np.exp(-1 / 20)) + 7.0 * np.exp(-1 / 20),
                               rtol=1e-12)
    assert v[0] != v[1]


def appendix_b(tau_m=20.0, threads=1, precision="double"):
    """SPEC Appendix B's network (test_native.py) with the recurrent tau_m given (a number or
    one per neuron)."""
    net = eprop.Network(resolution=1.0, precision=precision, threads=threads,
                        eligibility_integration="stepwise")
    gen = net.create("spike_generator", 2, name="gen",
                     spike_times=[[1, 4, 7, 10, 13, 20, 21, 30, 41, 45, 52, 57, 66, 71],
                                  [2, 3, 9, 15, 16, 25, 33, 34, 47, 50, 61, 63, 75]])
    inp = net.create("parrot_neuron", 2, name="in")
    params = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.2, "t_ref": 2.0, "c_reg": 0.5,
              "f_target": 10.0, "kappa": 0.95, "kappa_reg": 0.9,
              "surrogate_gradient_width": 0.1, "eprop_isi_trace_cutoff": 15.0}
    params["tau_m"] = tau_m
    rec = net.create("eprop_iaf", 3, params, name="rec")
    out = net.create("eprop_readout", 1, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 10.0,
                                          "eprop_isi_trace_cutoff": 15.0}, name="out")
    target = net.create("step_rate_generator", 1, name="target", amplitude_times=[[2.0, 30.0]],
                        amplitude_values=[[0.5, -0.3]])
    window = net.create("step_rate_generator", 1, name="window", amplitude_times=[[2.0]],
                        amplitude_values=[[1.0]])
    opt = {"type": "adam", "eta": 0.05, "Wmin": -10.0, "Wmax": 10.0}
    net.connect(gen, inp, "one_to_one")
    net.connect(inp, rec, weight=np.array([[0.15, 0.12], [0.11, 0.16], [0.13, 0.10]]),
                synapse="eprop_synapse", optimizer=opt)
    net.connect(rec, rec, weight=np.array([[0, 0.05, -0.04], [0.06, 0, 0.03], [-0.02, 0.07, 0]]),
                synapse="eprop_synapse", optimizer=opt, allow_autapses=False)
    net.connect(rec, out, weight=np.array([[0.3, -0.2, 0.25]]), synapse="eprop_synapse",
                optimizer=opt)
    net.connect(out, rec, weight=[[0.5], [-0.4], [0.3]], synapse="eprop_learning_signal_connection")
    net.connect(target, out, synapse="rate_connection_delayed", receptor_type=2)
    net.connect(window, out, synapse="rate_connection_delayed", receptor_type=1)
    net.record("spike_recorder", rec)
    net.record("multimeter", rec, ["V_m", "learning_signal"])
    return net.build()


def outcome(sim):
    """Weights of the three plastic connections, spikes and samples recorded so far."""
    spikes, samples = sim.recordings()
    return ([sim.weights(c)["weight"] for c in (1, 2, 3)] +
            [spikes["index"], spikes["time"], samples["values"]["V_m"],
             samples["values"]["learning_signal"]])


def assert_same(a, b, rtol=0.0):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0)


def test_network_changed_live_equals_the_state_handed_to_the_new_parameters():
    """tau_m 20 -> 12 after 37 ms equals 37 ms with tau_m 20 whose state is loaded into a
    network built with tau_m 12 (and the same recordings): the pending intervals of the e-prop
    synapses use the new propagators in both, as NEST's do."""
    live = appendix_b(20.0)
    live.simulate(37.0)
    live.set_neuron_parameters("rec", 0, 3, "tau_m", [12.0])
    live.simulate(43.0)

    first = appendix_b(20.0)
    first.simulate(37.0)
    second = appendix_b(12.0)
    second.load_state(first.save_state())
    second.simulate(43.0)
    assert_same(outcome(live), outcome(second))
    assert not np.array_equal(outcome(live)[0], outcome(appendix_b_run(20.0, 80.0))[0])


def appendix_b_run(tau_m, ms, **kw):
    sim = appendix_b(tau_m, **kw)
    sim.simulate(ms)
    return sim


def test_per_neuron_tau_m_changed_live_equals_the_state_handed_over():
    """Per-neuron tau_m (per-synapse traces) changed for one neuron only."""
    live = appendix_b([20.0, 25.0, 20.0])
    live.simulate(37.0)
    live.set_neuron_parameters("rec", 1, 1, "tau_m", [8.0])
    live.simulate(43.0)

    first = appendix_b([20.0, 25.0, 20.0])
    first.simulate(37.0)
    second = appendix_b([20.0, 8.0, 20.0])
    second.load_state(first.save_state())
    second.simulate(43.0)
    assert_same(outcome(live), outcome(second))


def test_tau_m_that_starts_to_vary_per_neuron_gives_the_per_synapse_traces_numbers():
    """A common tau_m made per-neuron live equals a network whose traces were per synapse from
    the build (tau_m [20, 21, 20] set to 20 before the first step)."""
    live = appendix_b(20.0)
    live.simulate(37.0)
    live.set_neuron_parameters("rec", 1, 1, "tau_m", [8.0])
    live.simulate(43.0)

    per_synapse = appendix_b([20.0, 21.0, 20.0])
    per_synapse.set_neuron_parameters("rec", 1, 1, "tau_m", [20.0])
    per_synapse.simulate(37.0)
    per_synapse.set_neuron_parameters("rec", 1, 1, "tau_m", [8.0])
    per_synapse.simulate(43.0)
    assert_same(outcome(live), outcome(per_synapse), rtol=1e-12)


def changed_run(threads=1, precision="double"):
    sim = appendix_b(20.0, threads=threads, precision=precision)
    sim.simulate(37.0)
    sim.set_neuron_parameters("rec", 1, 1, "tau_m", [8.0])
    sim.set_neuron_parameters("rec", 0, 3, "V_th", [0.25])
    sim.set_neuron_parameters("out", 0, 1, "tau_m", [15.0])
    sim.simulate(43.0)
    return sim


@pytest.mark.parametrize("precision", ["double", "single"])
def test_live_changes_do_not_depend_on_the_thread_count(precision):
    assert_same(outcome(changed_run(1, precision)), outcome(changed_run(2, precision)))


def test_saved_state_carries_the_changed_parameters():
    """A state saved after the changes, loaded into a simulation built from the original spec,
    continues as the changed one; a state saved before them restores the built parameters."""
    sim = changed_run()
    state = sim.save_state()
    sim.simulate(30.0)
    fresh = appendix_b(20.0)
    fresh.load_state(state)
    fresh.simulate(30.0)
    assert_same(outcome(sim)[:3], outcome(fresh)[:3])

    plain = appendix_b(20.0)
    plain.simulate(37.0)
    before = plain.save_state()
    plain.simulate(43.0)
    changed = appendix_b(20.0)
    changed.simulate(10.0)
    changed.set_neuron_parameters("rec", 1, 1, "tau_m", [8.0])
    changed.load_state(before)
    changed.simulate(43.0)
    assert_same(outcome(plain)[:3], outcome(changed)[:3])


def test_what_cannot_change_live_raises_naming_the_parameter():
    sim = appendix_b(20.0)
    sim.simulate(5.0)
    cases = {"V_th": ("rec", 1, 1, [0.3]), "eprop_isi_trace_cutoff": ("rec", 0, 3, [20.0]),
             "c_reg": ("rec", 0, 3, [0.0]), "bogus": ("rec", 0, 3, [1.0]),
             "tau_m": ("rec", 0, 3, [-1.0]), "spike_times": ("gen", 0, 1, [1.0])}
    for name, (pop, first, count, values) in cases.items():
        with pytest.raises(eprop.ConfigError, match=name):
            sim.set_neuron_parameters(pop, first, count, name, values)
    with pytest.raises(eprop.ConfigError, match="3 neurons"):
        sim.set_neuron_parameters("rec", 0, 3, "tau_m", [1.0, 2.0])
    with pytest.raises(eprop.ConfigError, match="of 3"):
        sim.set_neuron_parameters("rec", 2, 2, "tau_m", [1.0])
    # Nothing changed: the run equals one without the attempts.
    sim.simulate(75.0)
    assert_same(outcome(sim), outcome(appendix_b_run(20.0, 80.0)))


def test_closed_form_integration_refuses_a_change_of_the_propagators():
    net = eprop.Network(resolution=1.0, precision="double")  # closed form by default
    gen = net.create("spike_generator", 1, spike_times=[[1.0, 20.0]])
    inp = net.create("parrot_neuron", 1)
    rec = net.create("eprop_iaf", 2, {"C_m": 1.0, "E_L": 0.0, "tau_m": 20.0}, name="rec")
    net.connect(gen, inp, "one_to_one")
    net.connect(inp, rec, weight=0.1, synapse="eprop_synapse",
                optimizer={"optimize_each_step": False})  # closed form needs it
    sim = net.build()
    sim.simulate(5.0)
    with pytest.raises(eprop.ConfigError, match="'tau_m'.*closed form.*stepwise"):
        sim.set_neuron_parameters("rec", 0, 2, "tau_m", [12.0])
    sim.set_neuron_parameters("rec", 0, 2, "I_e", [0.5])  # the synapses do not read it


def test_bsshslm_targets_refuse_a_change_of_the_propagators():
    net = eprop.Network(resolution=1.0, precision="double")
    gen = net.create("spike_generator", 1, spike_times=[[1.0, 20.0]])
    inp = net.create("parrot_neuron", 1)
    rec = net.create("eprop_iaf_bsshslm_2020", 2, {"C_m": 1.0, "E_L": 0.0}, name="rec")
    net.connect(gen, inp, "one_to_one")
    net.connect(inp, rec, weight=0.1, synapse="eprop_synapse_bsshslm_2020")
    sim = net.build()
    sim.simulate(5.0)
    with pytest.raises(eprop.ConfigError, match="'tau_m'.*eprop_synapse_bsshslm_2020"):
        sim.set_neuron_parameters("rec", 0, 1, "tau_m", [12.0])
    sim.set_neuron_parameters("rec", 0, 2, "V_th", [-50.0])
    sim.simulate(5.0)


# ---- eprop.nest ------------------------------------------------------------------------------

def nest_membrane(nest, n=3):
    nest.set(resolution=1.0)
    nodes = nest.Create("eprop_iaf", n, {"C_m": 2.0, "E_L": 0.0, "V_m": 0.0, "V_th": 1e9,
                                         "tau_m": 20.0, "I_e": 1.5})
    mm = nest.Create("multimeter", {"record_from": ["V_m"], "interval": 1.0})
    nest.Connect(mm, nodes)
    return nodes, mm


def nest_trace(mm, node):
    ev = mm.get("events")
    keep = ev["senders"] == node
    return ev["V_m"][keep]


def test_nest_set_between_simulate_calls_changes_the_running_neurons(nest):
    nodes, mm = nest_membrane(nest)
    nest.Simulate(10.0)
    nodes[1].set(tau_m=5.0)
    nest.SetStatus(nodes, {"E_L": -3.0})  # V_m stays where it is (SPEC 1.4)
    nest.Simulate(10.0)
    before = np.concatenate([[0.0], relax(0.0, 15.0, 20.0, 18)])
    v0, v1, v2 = (nest_trace(mm, node) for node in nodes.tolist())
    np.testing.assert_allclose(v1[10:], relax(before[9], -3.0 + 3.75, 5.0, len(v1) - 10),
                               rtol=1e-12)
    for v in (v0, v2):
        np.testing.assert_allclose(v[:10], before[:10], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(v[10:], relax(before[9], -3.0 + 15.0, 20.0, len(v) - 10),
                                   rtol=1e-12)
    assert nodes[1].get("tau_m") == 5.0 and nodes.get("E_L") == (-3.0, -3.0, -3.0)
    assert nodes[0].get("tau_m") == 20.0


def test_nest_set_with_a_list_of_dicts_and_per_node_values(nest):
    nodes, mm = nest_membrane(nest)
    nest.Simulate(10.0)
    nodes.set([{"tau_m": 5.0, "I_e": 1.0}, {"tau_m": 10.0, "I_e": 1.0},
               {"tau_m": 20.0, "I_e": 1.0}])
    nest.Simulate(10.0)
    assert nodes.get("tau_m") == (5.0, 10.0, 20.0)
    before = np.concatenate([[0.0], relax(0.0, 15.0, 20.0, 18)])
    for node, tau in zip(nodes.tolist(), (5.0, 10.0, 20.0)):
        v = nest_trace(mm, node)
        # I_e enters one step later than tau_m (the current of the step was set before).
        first = 1.5 * tau / 2.0 * (1 - np.exp(-1 / tau)) + before[9] * np.exp(-1 / tau)
        np.testing.assert_allclose(v[10], first, rtol=1e-12)
        np.testing.assert_allclose(v[11:], relax(first, tau / 2.0, tau, len(v) - 11), rtol=1e-12)


def test_nest_errors_for_what_cannot_change_live(nest):
    nodes, _ = nest_membrane(nest)
    nest.Simulate(5.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="V_th"):
        nodes[0].set(V_th=-40.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="eprop_isi_trace_cutoff"):
        nodes.set(eprop_isi_trace_cutoff=10.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="tau_m"):
        nodes.set(tau_m=-1.0)
    assert nodes.get("tau_m") == (20.0, 20.0, 20.0)
