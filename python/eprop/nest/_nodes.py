"""Nodes as the kernel keeps them: one block per Create call."""

import numpy as np

from . import _models
from ._errors import NESTErrors, unsupported
from .random import Parameter


class Block:
    """The nodes of one Create call: model, node IDs first..first+n-1 and their parameters.

    Parameters are a value for all nodes (``common``) or one per node (``per_node``); generator
    lists (spike_times, amplitude_*) are per node. Recorders keep their settings and the events
    collected after each Simulate.
    """

    def __init__(self, model, first, n):
        self.model = model
        self.first = first
        self.n = n
        self.common = {}
        self.per_node = {}
        self.lists = {key: [np.zeros(0) for _ in range(n)]
                      for key in _models.GENERATOR_LISTS.get(model, ())}
        self.device = dict(_models.RECORDER_DEFAULTS[model]) if self.is_recorder else None
        self.targets = []  # recorders: node ID arrays connected (multimeter) or recorded
        self.events = []   # recorders: dicts of arrays, one per Simulate
        self.events_sorted = False  # events is one part in NEST's order
        self.segments = []  # after the build: (population name, lo, hi)

    @property
    def is_recorder(self):
        return self.model in _models.RECORDERS

    @property
    def is_generator(self):
        return self.model in _models.GENERATORS

    def value(self, key, k):
        """Parameter `key` of local node k, or None when never set."""
        if key in self.per_node:
            return self.per_node[key][k]
        return self.common.get(key)

    def params_of(self, k):
        """The parameters set on local node k (a dict)."""
        out = dict(self.common)
        for key, values in self.per_node.items():
            out[key] = values[k]
        return out

    def set_param(self, key, local, value):
        """Sets `key` on the local nodes `local` (an index array) to value (one per node or one
        for all)."""
        if key in self.lists:
            rows = value if _is_per_node_list(value, len(local)) else [value] * len(local)
            for k, row in zip(local, rows):
                arr = np.asarray(row).ravel()  # converted to float64 once, in the build
                if arr.dtype.kind not in "fiu":
                    raise NESTErrors.BadProperty(f"{self.model} {key}: expected numbers, got "
                                                 f"{row!r}")
                self.lists[key][k] = arr
            return
        if self.is_generator:
            fixed = _models.GENERATOR_FIXED.get(key)
            if fixed is None or value != fixed:
                raise unsupported(f"{self.model} parameter '{key}' = {value!r}")
            return
        if isinstance(value, Parameter):
            raise NESTErrors.BadProperty(
                f"{key}: random parameters are drawn in Create, not in set()")
        if len(local) == self.n and key not in self.per_node and \
                not isinstance(value, (list, tuple, np.ndarray)):
            self.common[key] = _scalar(value)
            return
        if key not in self.per_node:
            self.per_node[key] = [self.common.pop(key, None)] * self.n
        values = value if isinstance(value, (list, tuple, np.ndarray)) else [value] * len(local)
        for k, v in zip(local, values):
            self.per_node[key][k] = _scalar(v)

    def segment_of(self, k):
        for name, lo, hi in self.segments:
            if lo <= k < hi:
                return name, lo
        raise NESTErrors.KernelException("node not built")

    def parts(self):
        """The populations this block lowers into: (lo, hi, params, neuron_params). Values the
        engine takes per neuron (``_models.PER_NEURON``) stay arrays of one population; other
        per-node values split the block into runs of nodes with identical values."""
        arrays = {key: values for key, values in self.per_node.items()
                  if key in _models.PER_NEURON.get(self.model, ()) and
                  all(v is None or _is_number(v) for v in values)}
        split = sorted(key for key in self.per_node if key not in arrays)
        default = _models.NEURON_DEFAULTS.get(self.model, {})
        out = []
        for lo, hi in self._runs(split):
            params = {key: value for key, value in self.params_of(lo).items()
                      if key not in arrays and value is not None}
            neuron = {key: [float(default[key] if v is None else v) for v in values[lo:hi]]
                      for key, values in arrays.items()}
            out.append((lo, hi, params, neuron))
        return out

    def _runs(self, keys):
        """Maximal runs of nodes with identical values of keys."""
        if not keys:
            return [(0, self.n)]
        rows = [tuple(self.per_node[key][k] for key in keys) for k in range(self.n)]
        out = []
        lo = 0
        for k in range(1, self.n + 1):
            if k == self.n or rows[k] != rows[lo]:
                out.append((lo, k))
                lo = k
        return out


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_per_node_list(value, n):
    """A list of lists (one per node) rather than one list for every node."""
    if isinstance(value, np.ndarray):
        return value.ndim == 2 and len(value) == n
    return (isinstance(value, (list, tuple)) and len(value) == n and len(value) > 0
            and all(isinstance(v, (list, tuple, np.ndarray)) for v in value))
