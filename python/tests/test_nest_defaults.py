"""GetStatus / GetDefaults of neuron parameters a script did not set: NEST 3.10's defaults (SPEC
3.1, 4, 7.2, 7.3, R.9) with PyNEST's types, and the engine simulating with the same values."""

import math
import sys

import numpy as np
import pytest

NEURONS = ("eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt",
           "eprop_iaf_bsshslm_2020", "eprop_iaf_adapt_bsshslm_2020", "eprop_readout",
           "eprop_readout_bsshslm_2020", "parrot_neuron")


def test_spec_defaults_with_pynest_types(nest):
    rec = nest.Create("eprop_iaf_psc_delta_adapt", 2)
    assert rec.get("C_m") == (250.0, 250.0)
    both = rec.get()  # several nodes: a dict of tuples, as PyNEST returns
    assert both["C_m"] == (250.0, 250.0) and both["global_id"] == (1, 2)
    assert rec.get(["E_L", "kappa"]) == {"E_L": (-70.0, -70.0), "kappa": (0.97, 0.97)}
    status = rec[0].get()
    expected = {"C_m": 250.0, "E_L": -70.0, "I_e": 0.0, "t_ref": 2.0, "tau_m": 10.0,
                "V_min": -sys.float_info.max, "V_th": -55.0, "V_reset": -70.0,
                "refractory_input": False, "adapt_beta": 1.0, "adapt_tau": 10.0, "c_reg": 0.0,
                "f_target": 0.01,  # NEST reports its stored unit (SPEC 1.4)
                "kappa": 0.97, "kappa_reg": 0.97, "surrogate_gradient_function": "piecewise_linear",
                "surrogate_gradient_height": 0.3, "surrogate_gradient_width": 1.0,
                "eprop_isi_trace_cutoff": math.inf, "flush_event_send_interval": math.inf,
                "ignore_and_spike": False, "ignore_and_spike_offset": 1.0,
                "ignore_and_spike_interval": 100.0, "V_m": -70.0, "adaptation": 0.0,
                "global_id": 1, "model": "eprop_iaf_psc_delta_adapt"}
    assert status == expected
    for key, value in expected.items():
        assert type(status[key]) is type(value), key
    out = nest.Create("eprop_readout_bsshslm_2020")
    assert out.get(["E_L", "loss", "regular_spike_arrival", "tau_m"]) == \
        {"E_L": 0.0, "loss": "mean_squared_error", "regular_spike_arrival": True, "tau_m": 10.0}
    assert nest.Create("eprop_readout").get("eprop_isi_trace_cutoff") == math.inf
    with pytest.raises(nest.NESTError, match="kappa"):
        nest.Create("eprop_iaf_bsshslm_2020").get("kappa")  # SPEC 7.2: the family has none
    gen = nest.Create("spike_generator")
    assert gen.get(["origin", "start", "allow_offgrid_times"]) == \
        {"origin": 0.0, "start": 0.0, "allow_offgrid_times": False}


def test_set_values_read_back_in_pynest_types(nest):
    rec = nest.Create("eprop_iaf", 2, {"C_m": 1, "E_L": 0, "f_target": 20, "c_reg": 300})
    assert rec[0].get(["C_m", "E_L", "f_target", "c_reg", "V_m", "V_th"]) == \
        {"C_m": 1.0, "E_L": 0.0, "f_target": 0.02, "c_reg": 300.0, "V_m": -70.0, "V_th": -55.0}
    assert type(rec[0].get("C_m")) is float
    assert nest.GetStatus(rec, "f_target") == (0.02, 0.02)
    nest.SetDefaults("eprop_iaf", {"V_th": 0.5})
    assert nest.GetDefaults("eprop_iaf", "V_th") == 0.5
    assert nest.GetDefaults("eprop_iaf")["kappa"] == 0.97
    assert nest.Create("eprop_iaf").get("V_th") == 0.5


def test_state_is_read_before_the_run_only(nest):
    rec = nest.Create("eprop_iaf_adapt", 1, {"V_m": -60.0})
    assert rec.get("V_m") == -60.0 and rec.get("adaptation") == 0.0
    nest.Simulate(2.0)
    assert rec.get("V_th") == -55.0  # parameters stay readable
    with pytest.raises(nest.NESTError, match="state 'V_m'"):
        rec.get("V_m")
    assert "V_m" not in rec.get()


@pytest.mark.parametrize("model", NEURONS)
def test_engine_uses_the_same_defaults(nest, model):
    """A neuron given every default explicitly behaves exactly as one given none."""
    given = nest.GetDefaults(model)
    given = {k: v for k, v in given.items() if k not in ("global_id", "model")}
    if "f_target" in given:
        given["f_target"] *= 1000.0  # set in Hz, reported in 1/ms
    gen = nest.Create("spike_generator", 1, {"spike_times": [1.0, 2.0, 3.0, 5.0, 9.0, 11.0]})
    parrot = nest.Create("parrot_neuron")
    plain = nest.Create(model)
    explicit = nest.Create(model, 1, given)
    nest.Connect(gen, parrot)
    sr = nest.Create("spike_recorder")
    weight = 10.0 if "psc_delta" in model else 2000.0  # mV jumps / pA: spikes, V_m moves
    for node in (plain, explicit):
        nest.Connect(parrot, node, "all_to_all", {"synapse_model": "static_synapse",
                                                  "weight": weight})
        if "readout" not in model:  # readouts emit no spikes
            nest.Connect(node, sr)
    mm = None
    if model != "parrot_neuron":
        mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
        nest.Connect(mm, plain + explicit)
    nest.Simulate(20.0)
    ev = sr.get("events")
    spikes = [ev["times"][ev["senders"] == n.global_id].tolist() for n in (plain, explicit)]
    assert spikes[0] == spikes[1]
    if mm is not None:
        v = mm.get("events")
        traces = [v["V_m"][v["senders"] == n.global_id] for n in (plain, explicit)]
        assert len(traces[0]) > 10 and np.array_equal(traces[0], traces[1])
        assert len(set(traces[0].tolist())) > 1  # the input moved V_m


@pytest.mark.parametrize("model", [m for m in NEURONS if m != "parrot_neuron"])
def test_setting_E_L_alone_keeps_the_absolute_V_m(nest, model):
    """SPEC 1.4: voltages are stored relative to E_L and shifted when E_L changes without them,
    so V_m keeps its absolute value (the model's default E_L) whichever way E_L is set."""
    nest.set(eprop_reset_neurons_on_update=False)  # bsshslm: no reset over the initial V_m
    default = nest.GetDefaults(model, "E_L")
    E_L = default + 10.0
    by_create = nest.Create(model, 1, {"E_L": E_L, "tau_m": 10.0})
    by_set = nest.Create(model, 1, {"tau_m": 10.0})
    by_set.set(E_L=E_L)
    nest.SetDefaults(model, {"E_L": E_L})
    by_defaults = nest.Create(model, 1, {"tau_m": 10.0})
    nodes = by_create + by_set + by_defaults
    assert nest.GetStatus(nodes, "V_m") == (default,) * 3
    mm = nest.Create("multimeter", {"record_from": ["V_m"], "interval": 1.0})
    nest.Connect(mm, nodes)
    nest.Simulate(2.0)
    ev = mm.get("events")
    first = ev["V_m"][ev["times"] == 1.0]
    np.testing.assert_allclose(first, E_L + (default - E_L) * np.exp(-0.1), rtol=1e-12)
