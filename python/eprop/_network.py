"""Building a NetworkSpec in code: :class:`Network`."""

import math

import numpy as np

from . import _eprop


def make(cls, **fields):
    """An instance of a spec class (``make(eprop.OptimizerSpec, type="adam", eta=1e-3)``).

    Unknown field names raise ``TypeError``; numpy arrays are accepted for list fields.
    """
    obj = cls()
    for key, value in fields.items():
        if not hasattr(obj, key):
            raise TypeError(f"{cls.__name__} has no field '{key}'")
        setattr(obj, key, _plain(value))
    return obj


def _plain(value):
    """numpy values as the plain Python values the extension converts."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _values(x):
    """A weight or delay argument as the spec's flat list: one value, one per connection, or a
    (n_target, n_source) matrix flattened row-major."""
    return np.asarray(x, dtype=np.float64).ravel().tolist()


class Network:
    """A network under construction, in NEST's vocabulary and units (ms, mV, pA, pF).

    >>> net = eprop.Network(resolution=1.0, precision="double")
    >>> inp = net.create("spike_generator", 2, spike_times=[[1.0, 4.0], [2.0]])
    >>> rec = net.create("eprop_iaf", 3, {"V_th": 0.2})
    >>> net.connect(inp, rec, weight=np.full((3, 2), 0.1), synapse="eprop_synapse",
    ...             optimizer={"type": "adam", "eta": 0.05})
    >>> spikes = net.record("spike_recorder", rec)
    >>> sim = net.build(); sim.simulate(60.0)
    >>> sim.recordings()[spikes]["time"]

    Populations are referred to by the name :meth:`create` returns. :meth:`build` validates
    everything at once (``ConfigError`` naming population or connection, parameter, value and
    constraint) and returns a :class:`Simulation`.
    """

    def __init__(self, resolution=1.0, precision="single", seed=1, threads=1,
                 eligibility_integration="closed_form", **kernel):
        self.kernel = make(_eprop.KernelSpec, resolution=resolution, precision=precision,
                           seed=seed, threads=threads,
                           eligibility_integration=eligibility_integration, **kernel)
        self.populations = []
        self.connections = []
        self.recorders = []
        self.simulate = []

    @classmethod
    def from_spec(cls, spec):
        """A Network holding a copy of an existing NetworkSpec (e.g. from read_network_file)."""
        net = cls()
        net.kernel = spec.kernel
        net.populations = list(spec.populations)
        net.connections = list(spec.connections)
        net.recorders = list(spec.recorders)
        net.simulate = list(spec.simulate)
        return net

    def create(self, model, n=1, params=None, *, name=None, spike_times=None,
               amplitude_times=None, amplitude_values=None):
        """Adds a population (NEST: ``Create(model, n, params)``); returns its name.

        A parameter given as a list or array of n values varies per neuron (``tau_m`` of the
        recurrent e-prop models, as NEST's scripts draw it with ``nest.random.normal``)."""
        name = name or f"{model}_{len(self.populations)}"
        params = _plain(dict(params or {}))
        per_neuron = {k: [float(x) for x in v] for k, v in params.items() if isinstance(v, list)}
        fields = {"name": name, "model": model, "n": int(n),
                  "params": {k: v for k, v in params.items() if k not in per_neuron},
                  "neuron_params": per_neuron}
        pop = make(_eprop.PopulationSpec, **fields)
        for key, rows in (("spike_times", spike_times), ("amplitude_times", amplitude_times),
                          ("amplitude_values", amplitude_values)):
            if rows is not None:
                _eprop.set_rows(pop, key, rows)
        self.populations.append(pop)
        return name

    def connect(self, source, target, rule="all_to_all", synapse="static_synapse", weight=1.0,
                delay=1.0, *, optimizer=None, sources=None, targets=None, **fields):
        """Adds a connection (NEST: ``Connect``); returns its index in ``connections``.

        ``weight``/``delay``: one value, one per connection, or for all_to_all a
        (n_target, n_source) matrix. ``rule="pairwise"`` takes ``sources`` and ``targets``
        (local indices). ``optimizer``: a dict of OptimizerSpec fields. Other keywords:
        allow_autapses, receptor_type, indegree, p, tau_m_readout, average_gradient.
        """
        spec = make(_eprop.ConnectionSpec, source=source, target=target, rule=rule,
                    synapse=synapse, weight=_values(weight), delay=_values(delay), **fields)
        if sources is not None:
            spec.sources = np.asarray(sources, dtype=np.int64).ravel().tolist()
        if targets is not None:
            spec.targets = np.asarray(targets, dtype=np.int64).ravel().tolist()
        if optimizer is not None:
            spec.optimizer = make(_eprop.OptimizerSpec, **optimizer)
        self.connections.append(spec)
        return len(self.connections) - 1

    def record(self, type, population=None, record_from=(), *, interval=1.0, start=0.0,
               stop=math.inf, neurons=None, connection=-1):
        """Adds a recorder; returns its index in ``Simulation.recordings()``.

        ``type``: "multimeter" (``record_from`` names the recordables), "spike_recorder", or
        "weight_recorder" (``connection``: index of a plastic connection). ``neurons``: local
        indices (default all). Times t with start < t <= stop are recorded.
        """
        spec = make(_eprop.RecorderSpec, type=type, population=population or "",
                    record_from=list(record_from), interval=interval, start=start, stop=stop,
                    neurons=[] if neurons is None else np.asarray(neurons, np.int64).tolist(),
                    connection=connection)
        self.recorders.append(spec)
        return len(self.recorders) - 1

    @property
    def spec(self):
        """The network as an eprop.NetworkSpec."""
        return make(_eprop.NetworkSpec, kernel=self.kernel, populations=self.populations,
                    connections=self.connections, recorders=self.recorders,
                    simulate=self.simulate)

    def build(self):
        """Validates the network and builds a Simulation."""
        return _eprop.Simulation(self.spec)

    def save(self, path):
        """Writes the network as a network file."""
        _eprop.write_network_file(self.spec, str(path))

    @classmethod
    def load(cls, path):
        """Reads a network file."""
        return cls.from_spec(_eprop.read_network_file(str(path)))
