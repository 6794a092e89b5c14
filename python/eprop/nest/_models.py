"""The models eprop implements, as PyNEST names them, and their defaults where the layer needs them."""

import math
import sys

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


# Neuron parameters as NEST 3.10 defines them (SPEC 3.1, 4, 7.2, 7.3, R.9), in the units they are
# set in. GetStatus and GetDefaults read these for values a script did not set; the engine applies
# the same defaults (python/tests/test_nest_defaults.py checks that setting them changes nothing).
_MEMBRANE = {"C_m": 250.0, "E_L": -70.0, "I_e": 0.0, "tau_m": 10.0, "V_min": -sys.float_info.max}
_IGNORE_AND_SPIKE = {"ignore_and_spike": False, "ignore_and_spike_offset": 1.0,
                     "ignore_and_spike_interval": 100.0}
_RECURRENT = {**_MEMBRANE, "t_ref": 2.0, "V_th": -55.0, "c_reg": 0.0, "f_target": 10.0,
              "surrogate_gradient_function": "piecewise_linear", "surrogate_gradient_height": 0.3,
              "surrogate_gradient_width": 1.0, "flush_event_send_interval": math.inf,
              **_IGNORE_AND_SPIKE}
_EVENT_DRIVEN = {**_RECURRENT, "kappa": 0.97, "kappa_reg": 0.97, "eprop_isi_trace_cutoff": math.inf}
_ADAPT = {"adapt_beta": 1.0, "adapt_tau": 10.0}
_PSC_DELTA = {"V_reset": -70.0, "refractory_input": False}
_BSSHSLM = {**_RECURRENT, "regular_spike_arrival": True}
_READOUT = {**_MEMBRANE, "E_L": 0.0}
NEURON_DEFAULTS = {
    "eprop_iaf": _EVENT_DRIVEN,
    "eprop_iaf_adapt": {**_EVENT_DRIVEN, **_ADAPT},
    "eprop_iaf_psc_delta": {**_EVENT_DRIVEN, **_PSC_DELTA},
    "eprop_iaf_psc_delta_adapt": {**_EVENT_DRIVEN, **_PSC_DELTA, **_ADAPT},
    "eprop_iaf_bsshslm_2020": _BSSHSLM,
    "eprop_iaf_adapt_bsshslm_2020": {**_BSSHSLM, **_ADAPT},
    "eprop_readout": {**_READOUT, "eprop_isi_trace_cutoff": math.inf},
    "eprop_readout_bsshslm_2020": {**_READOUT, "loss": "mean_squared_error",
                                   "regular_spike_arrival": True},
    "parrot_neuron": {"flush_event_send_interval": math.inf, **_IGNORE_AND_SPIKE},
}
# Parameters the engine takes per neuron (PopulationSpec.neuron_params): a population whose nodes
# differ only in these stays one population (NEST's scripts draw tau_m per node).
PER_NEURON = {model: ("tau_m",) for model in RECURRENT}
ADAPTIVE = ("eprop_iaf_adapt", "eprop_iaf_psc_delta_adapt", "eprop_iaf_adapt_bsshslm_2020")
# State variables that can be set at Create (V_m starts at the model's default E_L).
STATE_KEYS = ("V_m", "adaptation")
GENERATOR_DEFAULTS = {
    "spike_generator": {"origin": 0.0, "start": 0.0, "allow_offgrid_times": False,
                        "precise_times": False, "shift_now_spikes": False},
    "step_rate_generator": {"origin": 0.0, "start": 0.0, "allow_offgrid_times": False},
}


def node_status(model, params, simulated):
    """What GetStatus reports for a neuron or generator with the given explicitly set params, with
    PyNEST's types. State variables (V_m, adaptation) only before the first step: eprop does not
    read the running state back (``simulated``: they are left out)."""
    defaults = NEURON_DEFAULTS.get(model, GENERATOR_DEFAULTS.get(model, {}))
    status = dict(defaults)
    if model in NEURON_DEFAULTS and model != "parrot_neuron" and not simulated:
        # NEST keeps the absolute V_m when E_L changes without it (SPEC 1.4): the default V_m
        # is the model's default E_L, whatever E_L was set to.
        status["V_m"] = defaults["E_L"]
        if model in ADAPTIVE:
            status["adaptation"] = 0.0
    for key, value in params.items():
        if simulated and key in STATE_KEYS:
            continue
        kind = type(status.get(key, 0.0))
        status[key] = kind(value) if kind in (float, bool) and not isinstance(value, str) else value
    if "f_target" in status:
        status["f_target"] = status["f_target"] / 1000.0  # NEST reports its stored unit, 1/ms
    return status
