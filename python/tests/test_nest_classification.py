"""SPEC 13.6 (B2, B3): the evidence-accumulation classification test of NEST's bsshslm tests,
written as the PyNEST test writes it (two recurrent populations joined with +, readout <->
readout softmax connections, Adam with batches, m and v set through GetConnections), through
eprop.nest; cross-entropy losses equal NEST's at rtol 1e-8."""

import numpy as np
import pytest

REFERENCE = {
    1: [0.741152550006, 0.740388187700, 0.665785233177, 0.663644193322, 0.729428962844],
    2: [0.702163370672, 0.735555303152, 0.740354864111, 0.683882815282, 0.707841122268],
}

STEPS = {"cue": 100, "spacing": 50, "bg_noise": 1050, "recall": 150}
N_CUES = 7
SEQUENCE = N_CUES * (STEPS["cue"] + STEPS["spacing"]) + STEPS["bg_noise"] + STEPS["recall"]


def generate_evidence_accumulation_input_output(batch_size, n_in, prob_group, input_spike_prob):
    n_pop_nrn = n_in // 4
    populations = {"left": range(0, n_pop_nrn), "right": range(n_pop_nrn, 2 * n_pop_nrn),
                   "recall": range(2 * n_pop_nrn, 3 * n_pop_nrn),
                   "noise": range(3 * n_pop_nrn, n_in)}
    prob_choices = np.array([prob_group, 1 - prob_group], dtype=np.float32)
    idx = np.random.choice([0, 1], batch_size)
    probs = np.zeros((batch_size, 2), dtype=np.float32)
    probs[:, 0] = prob_choices[idx]
    probs[:, 1] = prob_choices[1 - idx]
    batched_cues = np.zeros((batch_size, N_CUES), dtype=int)
    for b in range(batch_size):
        batched_cues[b, :] = np.random.choice([0, 1], N_CUES, p=probs[b])
    input_spike_probs = np.zeros((batch_size, SEQUENCE, n_in))
    for b in range(batch_size):
        for c in range(N_CUES):
            start = c * (STEPS["cue"] + STEPS["spacing"]) + STEPS["spacing"]
            pop = populations["left"] if batched_cues[b, c] == 0 else populations["right"]
            input_spike_probs[b, start:start + STEPS["cue"], pop] = input_spike_prob
    input_spike_probs[:, -STEPS["recall"]:, populations["recall"]] = input_spike_prob
    input_spike_probs[:, :, populations["noise"]] = input_spike_prob / 4.0
    input_spike_bools = input_spike_probs > np.random.rand(input_spike_probs.size).reshape(
        input_spike_probs.shape)
    input_spike_bools[:, 0, :] = 0
    target_cues = np.zeros(batch_size, dtype=int)
    target_cues[:] = np.sum(batched_cues, axis=1) > int(N_CUES / 2)
    return input_spike_bools, target_cues


@pytest.mark.parametrize("batch_size", [1, 2])
def test_eprop_classification(nest, batch_size):
    np.random.seed(1)
    n_iter, n_in, n_rec, n_out = 5, 40, 100, 2
    learning_window = STEPS["recall"]
    task = n_iter * batch_size * SEQUENCE
    total_offset = 4
    nest.set(resolution=1.0, total_num_virtual_procs=1, print_time=False,
             eprop_learning_window=float(learning_window), eprop_reset_neurons_on_update=True,
             eprop_update_interval=float(SEQUENCE))
    params_nrn_out = {"C_m": 1.0, "E_L": 0.0, "I_e": 0.0, "loss": "cross_entropy",
                      "regular_spike_arrival": False, "tau_m": 20.0, "V_m": 0.0}
    params_nrn_reg = {"C_m": 1.0, "c_reg": 300.0, "E_L": 0.0, "f_target": 10.0,
                      "flush_event_send_interval": float(SEQUENCE), "I_e": 0.0,
                      "regular_spike_arrival": True,
                      "surrogate_gradient_function": "piecewise_linear",
                      "surrogate_gradient_height": 0.3 / 0.6, "surrogate_gradient_width": 0.6,
                      "t_ref": 5.0, "tau_m": 20.0, "V_m": 0.0, "V_th": 0.6}
    params_nrn_ad = dict(params_nrn_reg, adapt_tau=2000.0, adaptation=0.0)
    params_nrn_ad["adapt_beta"] = 1.7 * (1.0 - np.exp(-1.0 / params_nrn_ad["adapt_tau"])) / \
        (1.0 - np.exp(-1.0 / params_nrn_ad["tau_m"]))

    gen_spk_in = nest.Create("spike_generator", n_in)
    nrns_in = nest.Create("parrot_neuron", n_in)
    nrns_reg = nest.Create("eprop_iaf_bsshslm_2020", n_rec // 2, params_nrn_reg)
    nrns_ad = nest.Create("eprop_iaf_adapt_bsshslm_2020", n_rec // 2, params_nrn_ad)
    nrns_out = nest.Create("eprop_readout_bsshslm_2020", n_out, params_nrn_out)
    gen_rate_target = nest.Create("step_rate_generator", n_out)
    nrns_rec = nrns_reg + nrns_ad
    mm_out = nest.Create("multimeter", {"interval": 1.0,
                                        "record_from": ["readout_signal", "target_signal"],
                                        "start": float(total_offset),
                                        "stop": float(total_offset + task)})

    weights_in_rec = np.array(np.random.randn(n_in, n_rec).T / np.sqrt(n_in), dtype=np.float32)
    weights_rec_rec = np.array(np.random.randn(n_rec, n_rec).T / np.sqrt(n_rec), dtype=np.float32)
    np.fill_diagonal(weights_rec_rec, 0.0)
    limit = np.sqrt(3.0 / max(1.0, (n_rec + n_out) / 2.0))
    weights_rec_out = np.array(np.random.uniform(-limit, limit, (n_rec, n_out)).T,
                               dtype=np.float32)
    weights_out_rec = np.array(np.random.randn(n_rec, n_out), dtype=np.float32)

    nest.SetDefaults("eprop_synapse_bsshslm_2020", {
        "optimizer": {"type": "adam", "batch_size": batch_size, "beta_1": 0.9, "beta_2": 0.999,
                      "epsilon": 1e-8, "eta": 5e-3, "Wmin": -100.0, "Wmax": 100.0},
        "average_gradient": True})
    syn = {"synapse_model": "eprop_synapse_bsshslm_2020", "delay": 1.0, "tau_m_readout": 20.0}
    nest.Connect(gen_spk_in, nrns_in, {"rule": "one_to_one"},
                 {"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0})
    nest.Connect(nrns_in, nrns_rec, {"rule": "all_to_all"}, dict(syn, weight=weights_in_rec))
    nest.Connect(nrns_rec, nrns_rec, {"rule": "all_to_all", "allow_autapses": False},
                 dict(syn, weight=weights_rec_rec))
    nest.Connect(nrns_rec, nrns_out, {"rule": "all_to_all"}, dict(syn, weight=weights_rec_out))
    nest.Connect(nrns_out, nrns_rec, {"rule": "all_to_all"},
                 {"synapse_model": "eprop_learning_signal_connection_bsshslm_2020",
                  "delay": 1.0, "weight": weights_out_rec})
    nest.Connect(gen_rate_target, nrns_out, {"rule": "one_to_one"},
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2})
    nest.Connect(nrns_out, nrns_out, {"rule": "all_to_all", "allow_autapses": False},
                 {"synapse_model": "rate_connection_delayed", "weight": 1.0, "delay": 1.0,
                  "receptor_type": 1})
    nest.Connect(mm_out, nrns_out, {"rule": "all_to_all"},
                 {"synapse_model": "static_synapse", "delay": 1.0})
    nest.GetConnections(nrns_rec[0], nrns_rec[1:3]).set([{"optimizer": {"m": 0.0, "v": 0.0}}] * 2)

    bools, cues = [], []
    for _ in range(n_iter):
        b, c = generate_evidence_accumulation_input_output(batch_size, n_in, 0.3, 0.04)
        bools.append(b)
        cues.extend(c)
    bools = np.array(bools).reshape(task, n_in)
    timeline = np.arange(0.0, task, 1.0) + 1.0
    gen_spk_in.set([{"spike_times": timeline[bools[:, i]].astype(np.float32)}
                    for i in range(n_in)])
    target_rate_changes = np.zeros((n_out, batch_size * n_iter))
    target_rate_changes[np.array(cues), np.arange(batch_size * n_iter)] = 1
    gen_rate_target.set([{"amplitude_times": np.arange(0.0, task, SEQUENCE) + total_offset,
                          "amplitude_values": target_rate_changes[k]} for k in range(n_out)])

    nest.Simulate(task + total_offset + 1)

    events = mm_out.get("events")
    senders = events["senders"]
    y = np.array([events["readout_signal"][senders == i] for i in sorted(set(senders))])
    y_star = np.array([events["target_signal"][senders == i] for i in sorted(set(senders))])
    y = y.reshape(n_out, n_iter, batch_size, SEQUENCE)[:, :, :, -learning_window:]
    y_star = y_star.reshape(n_out, n_iter, batch_size, SEQUENCE)[:, :, :, -learning_window:]
    loss = -np.mean(np.sum(y_star * np.log(y), axis=0), axis=(1, 2))
    np.testing.assert_allclose(loss, REFERENCE[batch_size], rtol=1e-8)
