"""Ports of NEST's sine-wave regression scripts (SPEC 11.1, 11.2, 13.2, 13.5), written as the
PyNEST scripts write them, for eprop.nest. Each returns the loss of every iteration."""

import numpy as np


def superimposed_sines(steps, periods):
    """The example's target: drawn amplitudes and phases, first sample subtracted, normalised."""
    n = len(periods)
    amplitudes = np.random.uniform(low=0.5, high=2.0, size=n)
    phases = np.random.uniform(low=0.0, high=2.0 * np.pi, size=n)
    sines = [A * np.sin(np.linspace(phi, phi + 2.0 * np.pi * (steps // T), steps))
             for A, phi, T in zip(amplitudes, phases, periods)]
    s = sum(sines)
    s -= s[0]
    s /= max(np.max(np.abs(s)), 1e-6)
    return s


def iteration_losses(events, n_iter, sequence, n_out=1):
    """0.5 * mean over readouts of sum over time of (y - y*)^2 per iteration (events are ordered
    by time, then sender)."""
    y = events["readout_signal"].reshape(n_iter, sequence, n_out)
    y_star = events["target_signal"].reshape(n_iter, sequence, n_out)
    return 0.5 * np.mean(np.sum((y - y_star) ** 2, axis=1), axis=1)


def event_driven(nest, model="eprop_iaf", optimizer="gradient_descent", *, n_iter=5,
                 sequence=100, optimize_each_step=True, width=0.03, final_update=False,
                 threads=1):
    """SPEC 13.2 (test_eprop_regression) and, with sequence 1000, optimize_each_step False,
    width 1/33.3 and final_update, SPEC 11.1 (the sine-wave example)."""
    np.random.seed(1)
    n_in, n_rec, n_out = 100, 100, 1
    offset_gen, delay_in_rec, extension_sim = 1, 1, 3
    task = n_iter * sequence
    total_offset = offset_gen + delay_in_rec
    nest.ResetKernel()
    nest.set(resolution=1.0, total_num_virtual_procs=threads, print_time=False)
    kappa = 0.97
    scale = 1.0 - kappa
    params_rec = {"C_m": 1.0, "c_reg": 300.0 / sequence, "E_L": 0.0,
                  "eprop_isi_trace_cutoff": 100.0, "f_target": 10.0,
                  "flush_event_send_interval": float(sequence), "I_e": 0.0, "kappa": kappa,
                  "kappa_reg": kappa, "surrogate_gradient_function": "piecewise_linear",
                  "surrogate_gradient_height": 10.0, "surrogate_gradient_width": width,
                  "t_ref": 0.0, "tau_m": 30.0, "V_m": 0.0, "V_th": 0.03}
    psc_delta = model in ("eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt")
    if psc_delta:
        params_rec.update(V_reset=-0.5, c_reg=2.0 / sequence / scale**2, V_th=0.5)
    elif model == "eprop_iaf_adapt":
        params_rec.update(adapt_beta=0.0174, adapt_tau=2000.0, adaptation=0.0)
        if final_update:  # the example switches adaptation off
            params_rec.update(adapt_beta=0.0)
    params_out = {"C_m": 1.0, "E_L": 0.0, "eprop_isi_trace_cutoff": 100.0, "I_e": 0.0,
                  "tau_m": 30.0, "V_m": 0.0}

    gen_spk_in = nest.Create("spike_generator", n_in)
    nrns_in = nest.Create("parrot_neuron", n_in)
    nrns_rec = nest.Create(model, n_rec, params_rec)
    nrns_out = nest.Create("eprop_readout", n_out, params_out)
    gen_rate_target = nest.Create("step_rate_generator", n_out)
    gen_learning_window = nest.Create("step_rate_generator")
    mm_out = nest.Create("multimeter", {"interval": 1.0, "record_from": ["readout_signal",
                                                                        "target_signal"],
                                        "start": float(total_offset),
                                        "stop": float(total_offset + task)})

    weights_in_rec = np.array(np.random.randn(n_in, n_rec).T / np.sqrt(n_in), dtype=np.float32)
    weights_rec_rec = np.array(np.random.randn(n_rec, n_rec).T / np.sqrt(n_rec), dtype=np.float32)
    np.fill_diagonal(weights_rec_rec, 0.0)
    weights_rec_out = np.array(np.random.randn(n_rec, n_out).T / np.sqrt(n_rec), dtype=np.float32) * scale
    weights_out_rec = np.array(np.random.randn(n_rec, n_out) / np.sqrt(n_rec), dtype=np.float32)
    if psc_delta:
        weights_out_rec /= scale
    else:
        weights_in_rec *= scale
        weights_rec_rec *= scale
        weights_out_rec *= scale

    optimizer_params = {"type": optimizer, "batch_size": 1, "eta": 1e-4 * scale**2,
                        "optimize_each_step": optimize_each_step, "Wmin": -100.0, "Wmax": 100.0}
    if optimizer == "adam":
        optimizer_params.update(beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    nest.SetDefaults("eprop_synapse", {"optimizer": optimizer_params})
    syn = {"synapse_model": "eprop_synapse", "delay": 1.0}
    nest.Connect(gen_spk_in, nrns_in, {"rule": "one_to_one"},
                 {"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0})
    nest.Connect(nrns_in, nrns_rec, {"rule": "all_to_all", "allow_autapses": False},
                 dict(syn, weight=weights_in_rec))
    nest.Connect(nrns_rec, nrns_rec, {"rule": "all_to_all", "allow_autapses": False},
                 dict(syn, weight=weights_rec_rec))
    nest.Connect(nrns_rec, nrns_out, {"rule": "all_to_all"}, dict(syn, weight=weights_rec_out))
    nest.Connect(nrns_out, nrns_rec, {"rule": "all_to_all"},
                 {"synapse_model": "eprop_learning_signal_connection", "delay": 1.0,
                  "weight": weights_out_rec})
    nest.Connect(gen_rate_target, nrns_out, {"rule": "one_to_one"},
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2})
    nest.Connect(gen_learning_window, nrns_out, {"rule": "all_to_all"},
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 1})
    nest.Connect(mm_out, nrns_out, {"rule": "all_to_all"}, {"synapse_model": "static_synapse",
                                                           "delay": 1.0})

    input_spike_bools = (np.random.rand(sequence, n_in) < 0.05).swapaxes(0, 1)
    sequence_starts = np.arange(0.0, task, sequence) + offset_gen
    params_gen_spk_in = []
    for input_spike_bool in input_spike_bools:
        input_spike_times = np.arange(0.0, sequence)[input_spike_bool]
        times = np.concatenate([input_spike_times + start for start in sequence_starts])
        params_gen_spk_in.append({"spike_times": times.astype(np.float32)})
    target_signal = superimposed_sines(sequence, [1000, 500, 333, 200])
    gen_rate_target.set({"amplitude_times": np.arange(0.0, task) + total_offset,
                         "amplitude_values": np.tile(target_signal, n_iter)})
    gen_learning_window.set({"amplitude_times": [float(total_offset)], "amplitude_values": [1.0]})
    gen_spk_in.set(params_gen_spk_in)

    if final_update:
        gen_spk_final_update = nest.Create("spike_generator", 1, {"spike_times": [task + 1.0]})
        nest.Connect(gen_spk_final_update, nrns_in + nrns_rec, "all_to_all",
                     {"synapse_model": "static_synapse", "weight": 1000.0, "delay": 1.0})

    nest.Simulate(task + total_offset + extension_sim)
    return iteration_losses(mm_out.get("events"), n_iter, sequence)


def bsshslm(nest, *, n_iter=5, sequence=1000):
    """SPEC 13.5 (test_eprop_regression of the bsshslm tests) = the bsshslm sine example (11.2)."""
    return _bsshslm_regression(nest, n_iter, sequence)


def pattern_bsshslm(nest, targets, *, n_iter=2):
    """SPEC 11.5: the lemniscate and handwriting examples (targets: n_out x sequence), with
    tau_m drawn per recurrent neuron from nest.random.normal(mean=30, std=2)."""
    adapt_tau, tau_m_mean = 2000.0, 30.0
    rec = {"adapt_tau": adapt_tau, "C_m": 250.0, "c_reg": 150.0, "f_target": 20.0,
           "tau_m": nest.random.normal(mean=tau_m_mean, std=2.0),
           "adapt_beta": 1.7 * (1.0 - np.exp(-1.0 / adapt_tau)) / (1.0 - np.exp(-1.0 / tau_m_mean))}
    adam = {"type": "adam", "batch_size": 1, "eta": 5e-3, "beta_1": 0.9, "beta_2": 0.999,
            "epsilon": 1e-8, "Wmin": -100.0, "Wmax": 100.0}
    return _bsshslm_regression(nest, n_iter, len(targets[0]), model="eprop_iaf_adapt_bsshslm_2020",
                               n_rec=200, targets=np.asarray(targets), rec_params=rec,
                               optimizer=adam, tau_m_readout=50.0)


def _bsshslm_regression(nest, n_iter, sequence, *, model="eprop_iaf_bsshslm_2020", n_rec=100,
                        targets=None, rec_params=None, optimizer=None, tau_m_readout=30.0):
    np.random.seed(1)
    n_in = 100
    n_out = 1 if targets is None else len(targets)
    task = n_iter * sequence
    total_offset = 4  # offset_gen + delay_in_rec + delay_rec_out + delay_out_norm
    nest.ResetKernel()
    nest.set(resolution=1.0, total_num_virtual_procs=1, print_time=False, rng_seed=1,
             eprop_learning_window=float(sequence), eprop_reset_neurons_on_update=True,
             eprop_update_interval=float(sequence))
    params_out = {"C_m": 1.0, "E_L": 0.0, "I_e": 0.0, "loss": "mean_squared_error",
                  "regular_spike_arrival": False, "tau_m": tau_m_readout, "V_m": 0.0}
    params_rec = {"C_m": 1.0, "c_reg": 300.0, "E_L": 0.0, "f_target": 10.0,
                  "flush_event_send_interval": float(sequence), "I_e": 0.0,
                  "regular_spike_arrival": False,
                  "surrogate_gradient_function": "piecewise_linear",
                  "surrogate_gradient_height": 0.3 / 0.03, "surrogate_gradient_width": 1.0 * 0.03,
                  "t_ref": 0.0, "tau_m": 30.0, "V_m": 0.0, "V_th": 0.03, **(rec_params or {})}
    gen_spk_in = nest.Create("spike_generator", n_in)
    nrns_in = nest.Create("parrot_neuron", n_in)
    nrns_rec = nest.Create(model, n_rec, params_rec)
    nrns_out = nest.Create("eprop_readout_bsshslm_2020", n_out, params_out)
    gen_rate_target = nest.Create("step_rate_generator", n_out)
    mm_out = nest.Create("multimeter", {"interval": 1.0,
                                        "record_from": ["readout_signal", "target_signal"],
                                        "start": float(total_offset),
                                        "stop": float(total_offset + task)})
    weights_in_rec = np.array(np.random.randn(n_in, n_rec).T / np.sqrt(n_in), dtype=np.float32)
    weights_rec_rec = np.array(np.random.randn(n_rec, n_rec).T / np.sqrt(n_rec), dtype=np.float32)
    np.fill_diagonal(weights_rec_rec, 0.0)
    weights_rec_out = np.array(np.random.randn(n_rec, n_out).T / np.sqrt(n_rec), dtype=np.float32)
    weights_out_rec = np.array(np.random.randn(n_rec, n_out) / np.sqrt(n_rec), dtype=np.float32)

    nest.SetDefaults("eprop_synapse_bsshslm_2020", {
        "optimizer": optimizer or {"type": "gradient_descent", "batch_size": 1, "eta": 1e-4,
                                   "Wmin": -100.0, "Wmax": 100.0},
        "average_gradient": False})
    syn = {"synapse_model": "eprop_synapse_bsshslm_2020", "delay": 1.0,
           "tau_m_readout": tau_m_readout}
    nest.Connect(gen_spk_in, nrns_in, "one_to_one", {"synapse_model": "static_synapse",
                                                     "weight": 1.0, "delay": 1.0})
    nest.Connect(nrns_in, nrns_rec, "all_to_all", dict(syn, weight=weights_in_rec))
    nest.Connect(nrns_rec, nrns_rec, {"rule": "all_to_all", "allow_autapses": False},
                 dict(syn, weight=weights_rec_rec))
    nest.Connect(nrns_rec, nrns_out, "all_to_all", dict(syn, weight=weights_rec_out))
    nest.Connect(nrns_out, nrns_rec, "all_to_all",
                 {"synapse_model": "eprop_learning_signal_connection_bsshslm_2020", "delay": 1.0,
                  "weight": weights_out_rec})
    nest.Connect(gen_rate_target, nrns_out, "one_to_one",
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2})
    nest.Connect(mm_out, nrns_out)

    gen_spk_in.set(_frozen_input(n_in, sequence, n_iter))
    if targets is None:
        targets = [superimposed_sines(sequence, [1000, 500, 333, 200])]
    gen_rate_target.set([{"amplitude_times": np.arange(0.0, task) + total_offset,
                          "amplitude_values": np.tile(target, n_iter)} for target in targets])
    nest.Simulate(task + total_offset + 1)
    return iteration_losses(mm_out.get("events"), n_iter, sequence, n_out)


def _frozen_input(n_in, sequence, n_iter):
    """The bsshslm scripts' input: one Bernoulli(0.05) pattern per generator, step 0 emptied,
    repeated every sequence from 1 ms."""
    input_spike_bools = (np.random.rand(sequence, n_in) < 0.05).swapaxes(0, 1)
    input_spike_bools[:, 0] = 0
    sequence_starts = np.arange(0.0, n_iter * sequence, sequence) + 1
    params_gen_spk_in = []
    for input_spike_bool in input_spike_bools:
        input_spike_times = np.arange(0.0, sequence)[input_spike_bool]
        times = np.concatenate([input_spike_times + start for start in sequence_starts])
        params_gen_spk_in.append({"spike_times": times.astype(np.float32)})
    return params_gen_spk_in
