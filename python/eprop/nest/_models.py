"""The models eprop implements, as PyNEST names them, and their defaults where the layer needs them."""

import math

RECURRENT = ("eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt",
             "eprop_iaf_bsshslm_2020", "eprop_iaf_adapt_bsshslm_2020")
READOUTS = ("eprop_readout", "eprop_readout_bsshslm_2020")
NEURONS = RECURRENT + READOUTS + ("parrot_neuron",)
GENERATORS = ("spike_generator", "step_rate_generator")
RECORDERS = ("multimeter", "spike_recorder", "weight_recorder")
NODE_MODELS = NEURONS + GENERATORS + RECORDERS
EPROP_SYNAPSES = ("eprop_synapse", "eprop_synapse_bsshslm_2020")
SYNAPSE_MODELS = ("static_synapse", "rate_connection_delayed", "eprop_learning_signal_connection",
                  "eprop_learning_signal_connection_bsshslm_2020") + EPROP_SYNAPSES

# Generator parameters that are lists per node, and those the engine honours at their default.
GENERATOR_LISTS = {"spike_generator": ("spike_times",),
                   "step_rate_generator": ("amplitude_times", "amplitude_values")}
GENERATOR_FIXED = {"allow_offgrid_times": False, "precise_times": False, "origin": 0.0,
                   "start": 0.0, "stop": math.inf, "shift_now_spikes": False}

RECORDER_DEFAULTS = {
    "multimeter": {"record_from": [], "interval": 1.0, "start": 0.0, "stop": math.inf,
                   "label": "", "record_to": "memory", "origin": 0.0},
    "spike_recorder": {"start": 0.0, "stop": math.inf, "label": "", "record_to": "memory",
                       "origin": 0.0},
    "weight_recorder": {"start": 0.0, "stop": math.inf, "label": "", "record_to": "memory",
                        "origin": 0.0, "senders": None, "targets": None},
}

OPTIMIZER_DEFAULTS = {
    "gradient_descent": {"type": "gradient_descent", "batch_size": 1, "eta": 1e-4,
                         "optimize_each_step": True, "Wmin": -100.0, "Wmax": 100.0},
    "adam": {"type": "adam", "batch_size": 1, "eta": 1e-4, "optimize_each_step": True,
             "Wmin": -100.0, "Wmax": 100.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}


def synapse_defaults(model):
    """A synapse model's defaults as SetDefaults changes them."""
    d = {"weight": 1.0, "delay": 1.0, "receptor_type": 0, "weight_recorder": None}
    if model in EPROP_SYNAPSES:
        d["optimizer"] = dict(OPTIMIZER_DEFAULTS["gradient_descent"])
    if model == "eprop_synapse_bsshslm_2020":
        d["tau_m_readout"] = 10.0
        d["average_gradient"] = False
    return d
