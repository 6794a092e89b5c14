"""SPEC 13.4 (H1-H3): NEST's history-cleaning tests through eprop.nest: the recorded
eprop_history_duration of one target neuron equals NEST's 109 samples."""

import numpy as np
import pytest


def ranges(*bounds, inclusive):
    return np.concatenate([np.arange(a, b + 1 if inclusive else b) for a, b in bounds])


EVENT_DRIVEN = ranges((1, 11), (2, 21), (12, 31), (12, 21), (12, 41), (32, 49), inclusive=True)
BSSHSLM = {
    "eprop_iaf_bsshslm_2020": ranges((1, 3), (1, 61), (21, 61), (41, 48), inclusive=False),
    "eprop_readout_bsshslm_2020": ranges((1, 4), (1, 21), (20, 60), (20, 60), (40, 46),
                                         inclusive=False),
}


def history_durations(nest, model, params, synapse):
    gen_spk = nest.Create("spike_generator", 3)
    nrns_in = nest.Create("parrot_neuron", 3)
    nrn = nest.Create(model, 1, params)
    mm = nest.Create("multimeter", {"interval": 1.0, "record_from": ["eprop_history_duration"]})
    gen_spk.set([{"spike_times": [10.0, 20.0, 50.0, 60.0]}, {"spike_times": [10.0, 30.0, 50.0, 90.0]},
                 {"spike_times": [40.0, 60.0]}])
    nest.Connect(gen_spk, nrns_in, "one_to_one", {"synapse_model": "static_synapse",
                                                  "delay": 1.0})
    nest.Connect(nrns_in, nrn, "all_to_all", {"synapse_model": synapse, "weight": 1.0,
                                              "delay": 1.0})
    nest.Connect(mm, nrn)
    nest.Simulate(110.0)
    return mm.get("events")["eprop_history_duration"]


@pytest.mark.parametrize("model,params", [
    ("eprop_iaf", {"eprop_isi_trace_cutoff": 5.0, "flush_event_send_interval": 5.0}),
    ("eprop_iaf", {"eprop_isi_trace_cutoff": 1e5, "flush_event_send_interval": 1e5}),
    ("eprop_readout", {"eprop_isi_trace_cutoff": 1e5}),
])
def test_eprop_history_cleaning(nest, model, params):
    nest.set(resolution=1.0, total_num_virtual_procs=1)
    got = history_durations(nest, model, params, "eprop_synapse")
    np.testing.assert_allclose(got, EVENT_DRIVEN, rtol=1e-8)


@pytest.mark.parametrize("model", sorted(BSSHSLM))
def test_eprop_bsshslm_history_cleaning(nest, model):
    nest.set(resolution=1.0, total_num_virtual_procs=1, eprop_update_interval=20.0)
    got = history_durations(nest, model, {}, "eprop_synapse_bsshslm_2020")
    np.testing.assert_allclose(got, BSSHSLM[model], rtol=1e-8)
