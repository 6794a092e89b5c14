"""SPEC Appendix B micro-networks written as a PyNEST script writes them, run through eprop.nest
and compared with NEST's traces, spikes and final weights (rtol 1e-8)."""

import json

import numpy as np
import pytest

from conftest import networks_dir

EXPECTED = json.loads((networks_dir() / "appendix_b_expected.json").read_text())["runs"]

RUNS = {
    "appendix_b_eprop_iaf_gradient_descent_each": ("eprop_iaf", "gradient_descent", True),
    "appendix_b_eprop_iaf_gradient_descent_spike": ("eprop_iaf", "gradient_descent", False),
    "appendix_b_eprop_iaf_adam_each": ("eprop_iaf", "adam", True),
    "appendix_b_eprop_iaf_adam_spike": ("eprop_iaf", "adam", False),
    "appendix_b_eprop_iaf_adapt_gradient_descent_each": ("eprop_iaf_adapt", "gradient_descent", True),
}


def run_script(nest, model, optimizer, each_step):
    """The network of Appendix B, as a PyNEST user writes it."""
    nest.set(resolution=1.0, total_num_virtual_procs=1, print_time=False)
    gen = nest.Create("spike_generator", 2)
    parrots = nest.Create("parrot_neuron", 2)
    params_rec = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.2, "tau_m": 20.0, "t_ref": 2.0,
                  "c_reg": 0.5, "f_target": 10.0, "kappa": 0.95, "kappa_reg": 0.9,
                  "surrogate_gradient_function": "piecewise_linear",
                  "surrogate_gradient_height": 0.3, "surrogate_gradient_width": 0.1,
                  "eprop_isi_trace_cutoff": 15.0}
    if model == "eprop_iaf_adapt":
        params_rec.update(adapt_beta=0.05, adapt_tau=30.0)
    rec = nest.Create(model, 3, params_rec)
    out = nest.Create("eprop_readout", 1, {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 10.0,
                                           "eprop_isi_trace_cutoff": 15.0})
    target = nest.Create("step_rate_generator")
    window = nest.Create("step_rate_generator")
    sr = nest.Create("spike_recorder")
    mm_out = nest.Create("multimeter", {"record_from": ["V_m"], "interval": 1.0})
    mm_rec = nest.Create("multimeter", params={"record_from": ["V_m", "surrogate_gradient",
                                                               "learning_signal"],
                                               "interval": 1.0})

    nest.SetDefaults("eprop_synapse", {"optimizer": {"type": optimizer, "batch_size": 1,
                                                     "eta": 0.05, "optimize_each_step": each_step,
                                                     "Wmin": -10.0, "Wmax": 10.0}})
    syn = {"synapse_model": "eprop_synapse", "delay": 1.0}
    nest.Connect(gen, parrots, "one_to_one", {"synapse_model": "static_synapse", "weight": 1.0,
                                              "delay": 1.0})
    nest.Connect(parrots, rec, "all_to_all",
                 dict(syn, weight=np.array([[0.15, 0.12], [0.11, 0.16], [0.13, 0.10]])))
    nest.Connect(rec, rec, {"rule": "all_to_all", "allow_autapses": False},
                 dict(syn, weight=np.array([[0, 0.05, -0.04], [0.06, 0, 0.03], [-0.02, 0.07, 0]])))
    nest.Connect(rec, out, {"rule": "all_to_all"}, dict(syn, weight=np.array([[0.3, -0.2, 0.25]])))
    nest.Connect(out, rec, "all_to_all", {"synapse_model": "eprop_learning_signal_connection",
                                          "delay": 1.0,
                                          "weight": np.array([[0.5], [-0.4], [0.3]])})
    nest.Connect(target, out, "one_to_one", {"synapse_model": "rate_connection_delayed",
                                             "delay": 1.0, "receptor_type": 2})
    nest.Connect(window, out, "all_to_all", {"synapse_model": "rate_connection_delayed",
                                             "delay": 1.0, "receptor_type": 1})
    nest.Connect(rec, sr)
    nest.Connect(mm_out, out, "all_to_all", {"synapse_model": "static_synapse", "delay": 1.0})
    nest.Connect(mm_rec, rec[0])

    gen.set([{"spike_times": [1.0, 4.0, 7.0, 10.0, 13.0, 20.0, 21.0, 30.0, 41.0, 45.0]},
             {"spike_times": np.array([2, 3, 9, 15, 16, 25, 33, 34, 47], dtype=np.float32)}])
    target.set(amplitude_times=[2.0, 30.0], amplitude_values=[0.5, -0.3])
    window.set({"amplitude_times": [2.0], "amplitude_values": [1.0]})

    nest.Simulate(60.0)
    conns = nest.GetConnections(synapse_model="eprop_synapse").get(["source", "target", "weight"])
    return {"rec": rec, "out": out, "spikes": sr.get("events"), "mm_out": mm_out.get("events"),
            "mm_rec": mm_rec.get("events"), "weights": conns}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_appendix_b(nest, run):
    expected = EXPECTED[run]
    got = run_script(nest, *RUNS[run])
    rec_ids = got["rec"].tolist()
    ev = got["spikes"]
    for k, stamps in expected["spikes"].items():
        times = ev["times"][ev["senders"] == rec_ids[int(k)]]
        np.testing.assert_allclose(times, stamps, rtol=0, atol=1e-12)
    for trace in expected["traces"]:
        ev = got["mm_out"] if trace["file"].startswith("out") else got["mm_rec"]
        np.testing.assert_allclose(ev["times"], trace["time"], atol=1e-12)
        np.testing.assert_allclose(ev[trace["variable"]], trace["values"], rtol=1e-8, atol=1e-10)
    ids = {"in": 3, "rec": rec_ids[0], "out": got["out"].tolist()[0]}
    w = got["weights"]
    table = {(s, t): x for s, t, x in zip(w["source"], w["target"], w["weight"])}
    assert len(table) == len(expected["weights"])
    for sp, si, tp, ti, weight in expected["weights"]:
        np.testing.assert_allclose(table[(ids[sp] + si, ids[tp] + ti)], weight, rtol=1e-8,
                                   atol=1e-10)
