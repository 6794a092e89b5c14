"""The state behind ``eprop.nest``: nodes and Connect calls are collected until the first
Simulate (or GetConnections), then lowered into an eprop NetworkSpec and built; later changes
(generator inputs, learning rates, neuron parameters) go to the live simulation."""

import bisect
import os
import time

import numpy as np

from .. import _eprop
from .._network import make
from . import _models
from ._errors import NESTError, NESTErrors, unsupported
from ._lowering import SegmentTable, check_connect, lower_connect, recorder_specs
from ._nodes import Block
from .random import Parameter

KERNEL_KEYS = ("resolution", "total_num_virtual_procs", "local_num_threads", "print_time",
               "rng_seed", "eprop_update_interval", "eprop_learning_window",
               "eprop_reset_neurons_on_update", "eligibility_integration", "precision",
               "overwrite_files", "data_path", "data_prefix")


def _single(name, model, params=None):
    """A population of one node for the engine's checks."""
    lists = {key: [[]] for key in _models.GENERATOR_LISTS.get(model, ())}
    return make(_eprop.PopulationSpec, name=name, model=model, n=1, params=params or {}, **lists)


class Kernel:
    def __init__(self):
        self.reset()

    def reset(self):
        self.settings = {"resolution": 1.0, "total_num_virtual_procs": 1, "local_num_threads": 1,
                         "print_time": False, "rng_seed": 1, "eprop_update_interval": 1000.0,
                         "eprop_learning_window": 1000.0, "eprop_reset_neurons_on_update": True,
                         # NEST's numbers by default: double precision, stepwise integration.
                         "eligibility_integration": "stepwise", "precision": "double",
                         "overwrite_files": False, "data_path": "", "data_prefix": ""}
        self.blocks = []
        self.firsts = []
        self.next_id = 1
        self.connects = []
        self.node_defaults = {}
        self.syn_defaults = {m: _models.synapse_defaults(m) for m in _models.SYNAPSE_MODELS}
        self.sim = None
        self.streams = None  # NEST's random streams, created at the first random parameter
        self.streams_seed = None
        self.engine_seconds = 0.0  # wall and CPU time inside the engine's simulate (benchmarks)
        self.engine_cpu_seconds = 0.0
        self.conn_info = []  # per ConnectionSpec: synapse model, source and target block offsets
        self.conn_specs = []  # the ConnectionSpecs of the build
        self.rec_owner = []  # per RecorderSpec: (block, extra)

    # ---- kernel -----------------------------------------------------------------------------

    def set(self, **kw):
        # NEST reads the update interval of a status dict before it checks the learning window
        # against it, so that one call may raise both (the lemniscate script's 1258 ms).
        order = sorted(kw, key=lambda k: k != "eprop_update_interval")
        for key, value in ((k, kw[k]) for k in order):
            if key not in KERNEL_KEYS:
                raise unsupported(f"the kernel property '{key}'")
            if self.sim is not None and key not in ("print_time",):
                raise NESTErrors.KernelException(
                    f"kernel property '{key}' cannot change after the network was built "
                    "(first Simulate or GetConnections); call ResetKernel first")
            if key == "eprop_learning_window" and value > self.settings["eprop_update_interval"]:
                raise NESTErrors.BadProperty(  # NEST checks against the interval set now
                    f"eprop_learning_window = {value} ms must be <= eprop_update_interval = "
                    f"{self.settings['eprop_update_interval']} ms")
            if key == "resolution" and self.blocks:
                raise NESTErrors.KernelException("resolution cannot change after nodes were created")
            self.settings[key] = value

    def get(self, key):
        if key == "biological_time":
            return 0.0 if self.sim is None else self.sim.time
        if key == "network_size":
            return self.next_id - 1
        if key not in self.settings:
            raise unsupported(f"the kernel property '{key}'")
        return self.settings[key]

    # ---- nodes ------------------------------------------------------------------------------

    def block_of(self, node_id):
        i = bisect.bisect_right(self.firsts, node_id) - 1
        if i < 0 or node_id >= self.next_id:
            raise NESTErrors.UnknownNode(f"node ID {node_id} does not exist")
        return self.blocks[i]

    def create(self, model, n, params):
        if model not in _models.NODE_MODELS:
            raise NESTErrors.UnknownModelName(
                f"model '{model}' is unknown to eprop.nest (node models: "
                f"{', '.join(_models.NODE_MODELS)})")
        self._check_open("Create")
        if n < 1:
            raise NESTErrors.BadParameter(f"Create: n = {n} must be >= 1")
        block = Block(model, self.next_id, n)
        local = np.arange(n)
        for key, value in self.node_defaults.get(model, {}).items():
            block.set_param(key, local, value)
        if isinstance(params, (list, tuple)):
            if len(params) != n:
                raise NESTErrors.BadParameter(f"Create: {len(params)} parameter dicts for {n} nodes")
            for k, d in enumerate(params):
                self._apply(block, np.array([k]), d)
        elif params:
            self._apply(block, local, self._draw(block, params))
        self.blocks.append(block)
        self.firsts.append(block.first)
        self.next_id += n
        return np.arange(block.first, block.first + n, dtype=np.int64)

    def _draw(self, block, params):
        """Random parameters drawn per node with NEST's stream. One virtual process, so that
        results do not depend on total_num_virtual_procs: values equal NEST's 1-process run."""
        out = {}
        for key, value in params.items():
            if isinstance(value, Parameter):
                if self.streams is None or self.streams_seed != self.settings["rng_seed"]:
                    self.streams = _eprop.NestRandomStreams(int(self.settings["rng_seed"]), 1)
                    self.streams_seed = self.settings["rng_seed"]
                ids = range(block.first, block.first + block.n)
                if value.kind == "normal":
                    value = [self.streams.normal_for_node(i, value.args["mean"], value.args["std"])
                             for i in ids]
                elif value.kind == "uniform":
                    value = [self.streams.uniform_for_node(i, value.args["min"], value.args["max"])
                             for i in ids]
                else:
                    raise unsupported(f"nest.random.{value.kind}")
            out[key] = value
        return out

    def _apply(self, block, local, params):
        """Sets params (dict) on local nodes of block, validated at once by the engine."""
        if block.is_recorder:
            return self._set_recorder(block, params)
        pushed = False
        for key, value in params.items():
            if self.sim is not None and not block.is_generator:
                self._set_live(block, local, key, value)
            elif self.sim is not None and key not in block.lists:
                raise unsupported(f"changing '{key}' of {block.model} after the network was built")
            block.set_param(key, local, value)
            pushed = pushed or (self.sim is not None and block.is_generator)
        if pushed:  # new generator inputs of a running network, all keys at once
            self._push_generator(block)
        if not block.is_generator and self.sim is None:
            for k in _extreme_nodes(block, local):
                self._validate(block.model, block.params_of(k))

    def _set_live(self, block, local, key, value):
        """Neuron parameters (and V_m, adaptation) of a running network, set in the engine's
        populations: from the next step on, the state kept, as NEST's SetStatus between Simulate
        calls. One value, or one per node of local."""
        if block.model == "parrot_neuron":
            raise unsupported(f"changing '{key}' of a parrot_neuron after the network was built")
        if isinstance(value, Parameter):
            raise NESTErrors.BadProperty(
                f"{key}: random parameters are drawn in Create, not in set()")
        per_node = isinstance(value, (list, tuple, np.ndarray))
        local = np.asarray(local, dtype=np.int64)
        try:
            for name, lo, hi in block.segments:
                pos = np.nonzero((local >= lo) & (local < hi))[0]
                pos = pos[np.argsort(local[pos], kind="stable")]
                for run in np.split(pos, np.nonzero(np.diff(local[pos]) != 1)[0] + 1):
                    if not len(run):
                        continue
                    values = [_engine_value(value[p]) for p in run] if per_node \
                        else [_engine_value(value)]
                    self.sim.set_neuron_parameters(name, int(local[run[0]] - lo), len(run), key,
                                                   values)
        except _eprop.ConfigError as e:
            raise NESTErrors.BadProperty(str(e)) from None

    def _set_recorder(self, block, params):
        for key, value in params.items():
            if key == "n_events":
                if value != 0:
                    raise NESTErrors.BadProperty("n_events can only be set to 0")
                block.events = []
            elif key in block.device:
                if self.sim is not None and key not in ("label",):
                    raise unsupported(f"changing '{key}' of a {block.model} after the build")
                if key in ("senders", "targets") and value is not None:
                    value = np.asarray(value, dtype=np.int64).ravel()
                block.device[key] = value
            else:
                raise NESTErrors.BadProperty(f"{block.model} has no property '{key}'")

    def _validate(self, model, params):
        """The engine's own checks on a single node (unknown names, values out of range)."""
        spec = make(_eprop.NetworkSpec, kernel=self._kernel_spec(),
                    populations=[_single(model, model, params)])
        try:
            _eprop.Simulation(spec)
        except _eprop.ConfigError as e:
            raise NESTErrors.BadProperty(str(e)) from None

    def set_defaults(self, model, params):
        if model in self.syn_defaults:
            return self._set_syn_defaults(model, params)
        if model not in _models.NODE_MODELS:
            raise NESTErrors.UnknownModelName(f"model '{model}' is unknown to eprop.nest")
        if model in _models.NEURONS:
            merged = dict(self.node_defaults.get(model, {}), **params)
            self._validate(model, merged)
        self.node_defaults.setdefault(model, {}).update(params)

    def _set_syn_defaults(self, model, params):
        d = self.syn_defaults[model]
        for key, value in params.items():
            if key not in d:
                raise NESTErrors.BadProperty(f"{model} has no property '{key}'")
            if key == "optimizer":
                self._set_optimizer(model, value)
            elif key == "weight_recorder":
                if self.sim is not None:
                    raise unsupported("setting a weight_recorder after the network was built")
                d[key] = None if value is None else self.block_of(int(np.ravel(value)[0]))
            else:
                if self.sim is not None and value != d[key]:
                    raise unsupported(f"changing '{key}' of {model} after the network was built")
                d[key] = value

    def _set_optimizer(self, model, opt):
        d = self.syn_defaults[model]
        current = d["optimizer"]
        if "type" in opt and opt["type"] != current["type"]:
            if opt["type"] not in _models.OPTIMIZER_DEFAULTS:
                raise NESTErrors.BadProperty(f"optimizer type '{opt['type']}' is unknown")
            current = dict(_models.OPTIMIZER_DEFAULTS[opt["type"]])
        for key, value in opt.items():
            if key not in current:
                raise NESTErrors.BadProperty(f"{current['type']} optimizer has no property '{key}'")
        new = dict(current, **opt)
        if self.sim is not None:
            for key in new:
                if key != "eta" and new[key] != d["optimizer"][key]:
                    raise unsupported(f"changing optimizer '{key}' after the network was built")
            for idx, info in enumerate(self.conn_info):
                if info[0] == model:
                    self.sim.set_eta(idx, float(new["eta"]))
        d["optimizer"] = new

    # ---- connections ------------------------------------------------------------------------

    def connect(self, pre, post, conn_spec, syn_spec):
        pre_block = self.block_of(int(pre[0])) if len(pre) else None
        post_block = self.block_of(int(post[0])) if len(post) else None
        if pre_block is not None and pre_block.model == "multimeter":
            self._check_open("Connect")
            pre_block.targets.append(post)
            return
        if post_block is not None and post_block.model == "spike_recorder":
            self._check_open("Connect")
            post_block.targets.append(pre)
            return
        if any(b is not None and b.is_recorder for b in (pre_block, post_block)):
            raise NESTErrors.IllegalConnection(
                "recorders connect as multimeter -> nodes and nodes -> spike_recorder; a "
                "weight_recorder is set on the synapse model (SetDefaults)")
        self._check_open("Connect")
        model = syn_spec.get("synapse_model", "static_synapse")
        if model not in self.syn_defaults:
            raise NESTErrors.UnknownModelName(f"synapse model '{model}' is unknown to eprop.nest")
        check_connect(pre, post, conn_spec, syn_spec)
        self._check_pair(pre, post, model, syn_spec)
        self.connects.append((pre, post, conn_spec, syn_spec))

    def _check_pair(self, pre, post, model, syn_spec):
        """The engine's connection checks on one node of each model pair (IllegalConnection for
        an e-prop synapse onto a node that cannot be its target, bad receptors...)."""
        checked = []
        # The smallest and largest delay: the engine's delay rules are bounds (e-prop synapses:
        # exactly one step), so that NEST's Connect-time error comes at Connect here too.
        delays = np.ravel(np.asarray(syn_spec.get("delay", self.syn_defaults[model]["delay"]),
                                     dtype=np.float64))
        for (a, b), delay in zip(((pre[0], post[0]), (pre[-1], post[-1])),
                                 (delays.min(), delays.max())):
            src, tgt = self.block_of(int(a)), self.block_of(int(b))
            pair = (src, self._node_params(src, int(a)), tgt, self._node_params(tgt, int(b)),
                    delay)
            if pair in checked:  # the same models with the same parameters: checked already
                continue
            checked.append(pair)
            spec = make(_eprop.NetworkSpec, kernel=self._kernel_spec(),
                        populations=[_single("a", src.model, self._node_params(src, int(a))),
                                     _single("b", tgt.model, self._node_params(tgt, int(b)))],
                        connections=[make(_eprop.ConnectionSpec, source="a", target="b",
                                          synapse=model, weight=[0.0], delay=[float(delay)],
                                          receptor_type=int(syn_spec.get("receptor_type", 0)))])
            try:
                _eprop.Simulation(spec)
            except _eprop.ConfigError as e:
                raise NESTErrors.IllegalConnection(str(e)) from None

    @staticmethod
    def _node_params(block, node_id):
        return {} if block.is_generator else block.params_of(node_id - block.first)

    def _check_open(self, what):
        if self.sim is not None:
            raise unsupported(f"{what} after the network was built (first Simulate or "
                              "GetConnections); create and connect everything before")

    # ---- build and simulate -----------------------------------------------------------------

    def _kernel_spec(self):
        s = self.settings
        threads = max(1, min(int(s["total_num_virtual_procs"]), os.cpu_count() or 1))
        return make(_eprop.KernelSpec, resolution=float(s["resolution"]), precision=s["precision"],
                    eprop_learning_window=self._learning_window(),
                    seed=int(s["rng_seed"]), threads=threads,
                    eligibility_integration=s["eligibility_integration"],
                    eprop_update_interval=float(s["eprop_update_interval"]),
                    eprop_reset_neurons_on_update=bool(s["eprop_reset_neurons_on_update"]))

    def _learning_window(self):
        """NEST checks the window against the interval only when the window is set, so a later,
        shorter interval leaves a window longer than the interval: readout signals are then
        non-zero over the whole interval, which the engine expresses as window = interval.
        Only averaged gradients (divided by the window) would tell the two apart."""
        window = float(self.settings["eprop_learning_window"])
        interval = float(self.settings["eprop_update_interval"])
        if window <= interval:
            return window
        if any(self.syn_defaults["eprop_synapse_bsshslm_2020"]["average_gradient"] or
               syn.get("average_gradient", False) for _, _, _, syn in self.connects):
            raise unsupported(f"average_gradient with eprop_learning_window ({window} ms) longer "
                              f"than eprop_update_interval ({interval} ms)")
        return interval

    def _populations(self):
        """PopulationSpecs and, separately, their generator lists (population index, key,
        rows): those go straight into the NetworkSpec (set_rows), as they can be large."""
        pops, lists = [], []
        for block in self.blocks:
            if block.is_recorder:
                continue
            block.segments = []
            for lo, hi, params, neuron_params in block.parts():
                name = f"{block.model}_{block.first + lo}"
                block.segments.append((name, lo, hi))
                for key, rows in block.lists.items():
                    lists.append((len(pops), key, rows[lo:hi]))
                pops.append(make(_eprop.PopulationSpec, name=name, model=block.model, n=hi - lo,
                                 params=params, neuron_params=neuron_params))
        return pops, lists

    def build(self):
        if self.sim is not None:
            return
        pops, lists = self._populations()
        self.table = SegmentTable(self)
        conns, self.conn_info = [], []
        for pre, post, conn_spec, syn_spec in self.connects:
            for spec, info in lower_connect(self, pre, post, conn_spec, syn_spec):
                conns.append(spec)
                self.conn_info.append(info)
        recs, self.rec_owner = recorder_specs(self, conns)
        self.conn_specs = conns  # kept: Simulation.spec would copy the whole network
        spec = make(_eprop.NetworkSpec, kernel=self._kernel_spec(), populations=pops,
                    connections=conns, recorders=recs)
        for index, key, rows in lists:
            _eprop.set_rows(spec, index, key, rows)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            self.sim = _eprop.Simulation(spec)
        except _eprop.ConfigError as e:
            raise NESTError(str(e)) from None
        finally:
            self.engine_seconds += time.perf_counter() - t0
            self.engine_cpu_seconds += time.process_time() - c0
        # PyNEST scripts change eta with SetDefaults between Simulate calls (NEST's examples do,
        # between training and test): with per-step optimisation NEST applies it to the steps of
        # intervals still open, so their histories are kept as NEST keeps them.
        self.sim.expect_eta_changes()

    def simulate(self, t):
        self.build()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            self.sim.simulate(float(t))
        except _eprop.ConfigError as e:
            raise NESTErrors.BadParameter(str(e)) from None
        finally:
            self.engine_seconds += time.perf_counter() - t0
            self.engine_cpu_seconds += time.process_time() - c0
            self._collect()

    def _collect(self):
        """Moves the engine's recordings into the recorders' event buffers."""
        for rec, (block, extra) in zip(self.sim.recordings(), self.rec_owner):
            if rec["type"] == "weight_recorder":
                src_first, tgt_first = extra
                ev = {"senders": rec["source"] + src_first, "targets": rec["target"] + tgt_first,
                      "times": rec["time"], "weights": rec["weight"]}
            else:
                ev = {"senders": rec["index"] + extra, "times": rec["time"]}
                ev.update(rec.get("values", {}))
            if len(ev["times"]):
                block.events.append(ev)
                block.events_sorted = False
        self.sim.clear_recordings()

    def _push_generator(self, block):
        for name, lo, hi in block.segments:
            if block.model == "spike_generator":
                self.sim.set_spike_times(name, [block.lists["spike_times"][k] for k in range(lo, hi)])
            else:
                self.sim.set_amplitudes(name, [block.lists["amplitude_times"][k] for k in range(lo, hi)],
                                        [block.lists["amplitude_values"][k] for k in range(lo, hi)])

    def events(self, block):
        """A recorder's events: a dict of numpy arrays sorted by time (then sender), kept as one
        part so that reading them again copies nothing."""
        keys = ["senders", "times"]
        if block.model == "weight_recorder":
            keys = ["senders", "targets", "times", "weights"]
        elif block.model == "multimeter":
            keys += list(block.device["record_from"])
        if not block.events:
            return {k: np.zeros(0, dtype=np.int64 if k in ("senders", "targets") else np.float64)
                    for k in keys}
        if len(block.events) == 1 and block.events_sorted:
            return dict(block.events[0])
        parts = block.events
        ev = {k: np.concatenate([e[k] for e in parts]) if len(parts) > 1 else parts[0][k]
              for k in keys}
        if block.model == "weight_recorder":
            keep = np.ones(len(ev["times"]), dtype=bool)
            for key in ("senders", "targets"):
                if block.device[key] is not None:
                    keep &= np.isin(ev[key], block.device[key])
            ev = {k: v[keep] for k, v in ev.items()}
        if not _sorted(ev["times"], ev["senders"]):
            order = np.lexsort((ev["senders"], ev["times"]))
            ev = {k: v[order] for k, v in ev.items()}
        block.events, block.events_sorted = [ev], True
        return dict(ev)


def _extreme_nodes(block, local):
    """The nodes whose parameters stand for all of local in the engine's range checks: the first,
    and those with the smallest and largest value of each per-node number (a drawn tau_m <= 0
    raises BadProperty in Create, as in NEST)."""
    picks = {int(local[0])} if len(local) else set()
    for values in block.per_node.values():
        numbers = [(values[k], int(k)) for k in local
                   if isinstance(values[k], (int, float)) and not isinstance(values[k], bool)]
        if numbers:
            picks |= {min(numbers)[1], max(numbers)[1]}
    return sorted(picks)


def _engine_value(value):
    """A parameter value as the engine takes it: float, bool or str."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _sorted(times, senders):
    """Whether rows are ordered by time, then sender (the engine's order for one population)."""
    dt, ds = np.diff(times), np.diff(senders)
    return bool(np.all((dt > 0) | ((dt == 0) & (ds >= 0))))
