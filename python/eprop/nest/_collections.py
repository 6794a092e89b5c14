"""NodeCollection with PyNEST's behaviour."""

import numpy as np

from . import _models
from ._errors import NESTErrors, unsupported


class NodeCollection:
    """Node IDs returned by Create; indexing, ``+``, ``len``, ``get`` and ``set`` as in PyNEST."""

    def __init__(self, kernel, ids):
        object.__setattr__(self, "_kernel", kernel)
        object.__setattr__(self, "_ids", np.asarray(ids, dtype=np.int64).ravel())

    def __len__(self):
        return len(self._ids)

    def __iter__(self):
        for i in self._ids:
            yield NodeCollection(self._kernel, [i])

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return NodeCollection(self._kernel, [self._ids[key]])
        return NodeCollection(self._kernel, self._ids[key])

    def __add__(self, other):
        other_ids = other._ids if isinstance(other, NodeCollection) else np.asarray(other)
        return NodeCollection(self._kernel, np.concatenate([self._ids, other_ids]))

    def __eq__(self, other):
        return isinstance(other, NodeCollection) and np.array_equal(self._ids, other._ids)

    def __hash__(self):
        return hash(tuple(self._ids.tolist()))

    def __contains__(self, node_id):
        return int(node_id) in set(self._ids.tolist())

    def __array__(self, dtype=None):
        return self._ids.astype(dtype) if dtype is not None else self._ids.copy()

    def __repr__(self):
        if len(self) == 0:
            return "NodeCollection(<empty>)"
        model = self._kernel.block_of(int(self._ids[0])).model
        return f"NodeCollection(metadata=None, model={model}, size={len(self)}, first={self._ids[0]}, last={self._ids[-1]})"

    def tolist(self):
        return self._ids.tolist()

    @property
    def global_id(self):
        return self._ids[0].item() if len(self) == 1 else tuple(self._ids.tolist())

    def _by_block(self):
        """(block, local indices, positions in self) per Create block, in order."""
        out = []
        for pos, node_id in enumerate(self._ids):
            block = self._kernel.block_of(int(node_id))
            if out and out[-1][0] is block:
                out[-1][1].append(int(node_id) - block.first)
                out[-1][2].append(pos)
            else:
                out.append((block, [int(node_id) - block.first], [pos]))
        return [(b, np.array(l), p) for b, l, p in out]

    def set(self, params=None, **kwargs):
        """``set(dict)``, ``set([dict per node])`` or ``set(key=value, ...)``; a list value gives
        one value per node."""
        if params is not None and kwargs:
            raise NESTErrors.BadProperty("set: give a dict or keywords, not both")
        if isinstance(params, (list, tuple)):
            if len(params) != len(self):
                raise NESTErrors.BadProperty(f"set: {len(params)} dicts for {len(self)} nodes")
            keys = set(params[0]) if params else set()
            if all(isinstance(d, dict) and set(d) == keys for d in params) and not any(
                    isinstance(d[key], (list, tuple, np.ndarray)) for d in params for key in d):
                # One call per key with a value per node: a running network then sees a change
                # of the whole population where the values agree, as NEST's nodes do.
                return self.set({key: [d[key] for d in params] for key in keys})
            for node, d in zip(self, params):
                node.set(d)
            return
        params = dict(params or {}, **kwargs)
        for block, local, pos in self._by_block():
            mine = {}
            for key, value in params.items():
                per_node = isinstance(value, (list, tuple, np.ndarray)) and len(value) == len(self) \
                    and key not in block.lists and key not in ("record_from", "senders", "targets")
                mine[key] = [value[p] for p in pos] if per_node else value
            self._kernel._apply(block, local, mine)

    def get(self, *keys, output=""):
        """``get("events")`` on a recorder, ``get("V_m")``, ``get(["a", "b"])`` or ``get()``; for
        several nodes a tuple per key (``get()``: a dict of tuples), as PyNEST returns."""
        if output:
            raise unsupported(f"get(output='{output}')")
        if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
            return {k: self.get(k) for k in keys[0]}
        if len(keys) > 1:
            return {k: self.get(k) for k in keys}
        values = [self._get_one(int(i), keys[0] if keys else None) for i in self._ids]
        if len(values) == 1:
            return values[0]
        if not keys:  # PyNEST: one dict of tuples, over the keys every node has
            common = [k for k in values[0] if all(k in v for v in values[1:])]
            return {k: tuple(v[k] for v in values) for k in common}
        return tuple(values)

    def _get_one(self, node_id, key):
        kernel = self._kernel
        block = kernel.block_of(node_id)
        k = node_id - block.first
        status = {"global_id": node_id, "model": block.model}
        if block.is_recorder:
            status.update(block.device)
            status["n_events"] = len(kernel.events(block)["times"])
            if key is None or key == "events":
                status["events"] = kernel.events(block)
        else:
            simulated = kernel.sim is not None and kernel.sim.steps > 0
            status.update(_models.node_status(block.model, block.params_of(k), simulated))
            for name, rows in block.lists.items():
                status[name] = rows[k].astype(np.float64)  # a copy, as PyNEST returns
        if key is None:
            return status
        if key not in status:
            state = key in _models.STATE_KEYS and block.model in _models.NEURON_DEFAULTS
            raise unsupported(f"reading the state '{key}' of {block.model} after Simulate" if state
                              else f"reading '{key}' of {block.model} (parameters, the initial "
                              "state, recorder settings and events can be read)")
        return status[key]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        self.set({name: value})

