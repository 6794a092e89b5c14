"""GetConnections: the built network's connections as PyNEST's SynapseCollection, whose ``set``
writes weights and Adam's moments into the running simulation (Simulation.set_synapses)."""

import math

import numpy as np

from .. import _eprop
from . import _models
from ._errors import NESTErrors, unsupported

ROW_KEYS = ("source", "target", "weight", "delay", "tau_m_readout", "synapse_model", "conn",
            "pos")


def connections(kernel, source=None, target=None, synapse_model=None):
    """Rows (dict of arrays) of the built network's connections, in NEST's order (synapse model,
    source, target). ``conn`` is the ConnectionSpec index, ``pos`` the synapse's position in
    Simulation.weights(conn) (-1 for static connections)."""
    kernel.build()
    parts = []
    for idx, (model, src_first, tgt_first, pairs, rule) in enumerate(kernel.conn_info):
        if synapse_model is not None and model != synapse_model:
            continue
        if model in _models.EPROP_SYNAPSES:
            w = kernel.sim.weights(idx)
            s, t, weight = w["source"], w["target"], w["weight"]
            pos = np.arange(len(s))
        else:
            s, t, weight = _static_rows(kernel, idx, pairs, rule)
            pos = np.full(len(s), -1)
        c = kernel.conn_specs[idx]
        tau = c.tau_m_readout if model == "eprop_synapse_bsshslm_2020" else np.nan
        parts.append({"source": s + src_first, "target": t + tgt_first, "weight": weight,
                      # per-connection delays are not read back (NaN: get() refuses them)
                      "delay": np.full(len(s), c.delay[0] if len(c.delay) == 1 else np.nan),
                      "tau_m_readout": np.full(len(s), tau),
                      "synapse_model": np.full(len(s), model, dtype=object),
                      "conn": np.full(len(s), idx), "pos": pos})
    if not parts:
        return {k: np.zeros(0, dtype=object if k == "synapse_model" else float) for k in ROW_KEYS}
    rows = {k: np.concatenate([p[k] for p in parts]) for k in ROW_KEYS}
    rank = np.array([_models.SYNAPSE_MODELS.index(m) for m in rows["synapse_model"]], dtype=int)
    order = np.lexsort((rows["target"], rows["source"], rank))
    keep = np.ones(len(order), dtype=bool)
    if source is not None:
        keep &= np.isin(rows["source"][order], np.asarray(source))
    if target is not None:
        keep &= np.isin(rows["target"][order], np.asarray(target))
    return {k: v[order[keep]] for k, v in rows.items()}


def _static_rows(kernel, idx, pairs, rule):
    c = kernel.conn_specs[idx]
    sizes = dict(zip(kernel.table.names, kernel.table.sizes))
    n_s, n_t = sizes[c.source], sizes[c.target]
    if pairs is not None:
        s, t = pairs
    elif rule == "one_to_one":
        s = t = np.arange(n_s)
    elif rule == "all_to_all":
        s, t = np.tile(np.arange(n_s), n_t), np.repeat(np.arange(n_t), n_s)
        w = np.asarray(c.weight)
        weight = w[t * n_s + s] if len(w) > 1 else np.full(len(s), w[0])
        keep = (s != t) if not c.allow_autapses else np.ones(len(s), dtype=bool)
        return s[keep], t[keep], weight[keep]
    else:
        raise unsupported(f"GetConnections on static connections made with rule '{rule}'")
    w = np.asarray(c.weight)
    return s, t, (w if len(w) > 1 else np.full(len(s), w[0]))


class SynapseCollection:
    """Connections from GetConnections: ``get`` as PyNEST returns it (live values), ``set``
    per synapse (weight, and Adam's ``m`` and ``v`` under ``optimizer``) on the running
    network."""

    _READABLE = ("source", "target", "weight", "delay", "synapse_model", "optimizer",
                 "tau_m_readout")

    def __init__(self, kernel, rows):
        self._kernel = kernel
        self._rows = rows

    def __len__(self):
        return len(self._rows["source"])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            if not -len(self) <= key < len(self):
                raise IndexError("SynapseCollection index out of range")
            key = [int(key) % len(self)]
        return SynapseCollection(self._kernel, {k: v[key] for k, v in self._rows.items()})

    def get(self, keys=None, output=""):
        """``get("weight")`` (a value for one connection, else a list), ``get([...])`` or
        ``get()`` (dicts of lists). ``optimizer`` gives ``{"m", "v"}`` for Adam, ``{}`` else."""
        if output:
            raise unsupported(f"get(output='{output}')")
        single = isinstance(keys, str)
        if keys is None:
            wanted = [k for k in self._READABLE if k != "tau_m_readout" or
                      not np.isnan(self._rows["tau_m_readout"]).any()]
        else:
            wanted = [keys] if single else list(keys)
        for k in wanted:
            if k not in self._READABLE:
                raise unsupported(f"reading synapse property '{k}'")
        if "delay" in wanted and np.isnan(self._rows["delay"].astype(float)).any():
            raise unsupported("reading per-connection delays back from GetConnections")
        if "tau_m_readout" in wanted and np.isnan(self._rows["tau_m_readout"]).any():
            raise NESTErrors.BadProperty("only eprop_synapse_bsshslm_2020 has tau_m_readout")
        live = self._live() if {"weight", "optimizer"} & set(wanted) else None
        data = {k: self._column(k, live) for k in wanted}
        if len(self) == 1:
            data = {k: v[0] for k, v in data.items()}
        return data[keys] if single else data

    def _live(self):
        """Current weight, m and v of every row (the simulation has moved on since
        GetConnections)."""
        live = {"weight": self._rows["weight"].astype(float), "m": np.full(len(self), np.nan),
                "v": np.full(len(self), np.nan)}
        for conn in np.unique(self._rows["conn"][self._rows["pos"] >= 0]):
            rows = np.flatnonzero((self._rows["conn"] == conn) & (self._rows["pos"] >= 0))
            states = self._kernel.sim.synapse_states(int(conn))
            for key in live:
                live[key][rows] = states[key][self._rows["pos"][rows]]
        return live

    def _column(self, key, live):
        if key == "weight":
            return live["weight"].tolist()
        if key == "optimizer":
            adam = {c: self._adam(c) for c in np.unique(self._rows["conn"]).tolist()}
            return [{"m": m, "v": v} if adam[c] else {} for c, m, v in
                    zip(self._rows["conn"].tolist(), live["m"].tolist(), live["v"].tolist())]
        return self._rows[key].tolist()

    def _optimizer(self, conn):
        """The optimizer of connection `conn` (the synapse model's when the network was built;
        only eta can change since, and Simulation.spec would copy the whole network)."""
        model = self._kernel.conn_info[int(conn)][0]
        return self._kernel.syn_defaults[model]["optimizer"] if model in _models.EPROP_SYNAPSES \
            else None

    def _adam(self, conn):
        opt = self._optimizer(conn)
        return opt is not None and opt["type"] == "adam"

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def set(self, params=None, **kwargs):
        """``set(dict)``, ``set([dict per synapse])`` or ``set(key=value)``; in a dict, a list as
        long as the collection gives one value per synapse. Keys: ``weight`` and ``optimizer``
        (``{"m": ..., "v": ...}``, Adam only) on e-prop synapses; ``delay``, ``tau_m_readout``
        and static weights only at their current values. As in NEST, synapses are set in order and a weight outside
        [Wmin, Wmax] is stored, then raises BadProperty."""
        if params is not None and kwargs:
            raise NESTErrors.BadProperty("set: give a dict or keywords, not both")
        columns = _columns(params if params is not None else kwargs, len(self))
        self._check_fixed(columns)
        self._write(columns)

    def _check_fixed(self, columns):
        """Values eprop cannot change on a built network must keep their current value; m and v
        exist only on Adam synapses. Checked before anything changes."""
        static = self._rows["pos"] < 0
        everywhere = np.ones(len(self), dtype=bool)
        fixed = (("delay", everywhere, "a synapse delay"),
                 ("weight", static, "a static synapse's weight"),
                 # one filter per projection in the engine
                 ("tau_m_readout", everywhere, "tau_m_readout of a synapse"))
        if "tau_m_readout" in columns and \
                np.isnan(self._rows["tau_m_readout"][~np.isnan(columns["tau_m_readout"])]).any():
            raise NESTErrors.BadProperty("only eprop_synapse_bsshslm_2020 has tau_m_readout")
        for key, rows, what in fixed:
            if key in columns:
                given = columns[key]
                differs = rows & ~np.isnan(given) & (given != self._rows[key].astype(float))
                if differs.any():
                    value = given[np.flatnonzero(differs)[0]]
                    raise unsupported(f"changing {what} on a built network ({key} = {value!r})")
        adam = np.zeros(len(self), dtype=bool)
        for conn in np.unique(self._rows["conn"]):
            adam[self._rows["conn"] == conn] = self._adam(conn)
        for key in ("m", "v"):
            if key in columns and (~adam & ~np.isnan(columns[key])).any():
                raise NESTErrors.BadProperty(
                    f"optimizer '{key}' exists only on e-prop synapses with the adam optimizer")

    def _write(self, columns):
        """Simulation.set_synapses per connection, up to and including the first weight out of
        bounds, whose connection goes last so that its error comes after the others are set."""
        plastic = self._rows["pos"] >= 0
        conn_of = self._rows["conn"]
        weight = columns.get("weight", np.full(len(self), np.nan))
        bad = np.zeros(len(self), dtype=bool)
        for conn in np.unique(conn_of[plastic]):
            opt = self._optimizer(conn)
            bad |= plastic & (conn_of == conn) & ((weight < opt["Wmin"]) | (weight > opt["Wmax"]))
        first_bad = int(np.flatnonzero(bad)[0]) if bad.any() else None
        chosen = plastic & (np.arange(len(self)) <= (len(self) if first_bad is None else first_bad))
        order = list(dict.fromkeys(conn_of[chosen].tolist()))
        if first_bad is not None:
            order.remove(int(conn_of[first_bad]))
            order.append(int(conn_of[first_bad]))
        for conn in order:
            rows = np.flatnonzero(chosen & (conn_of == conn))
            args = {k: columns[k][rows] for k in ("weight", "m", "v") if k in columns}
            try:
                self._kernel.sim.set_synapses(conn, self._rows["pos"][rows], **args)
            except _eprop.ConfigError as e:
                raise NESTErrors.BadProperty(str(e)) from None


def _columns(params, n):
    """{key: float array of n values, NaN where a synapse's dict lacks the key}; ``optimizer``
    dicts become ``m`` and ``v``."""
    if isinstance(params, (list, tuple)):
        if len(params) != n:
            raise NESTErrors.BadProperty(f"set: {len(params)} dicts for {n} synapses")
        rows = [_flatten(d) for d in params]
        keys = {k for d in rows for k in d}
        return {k: np.array([_number(k, d[k]) if k in d else math.nan for d in rows])
                for k in keys}
    out = {}
    for key, value in _flatten(dict(params)).items():
        per_synapse = isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1
        if per_synapse and len(value) != n:
            raise NESTErrors.BadProperty(f"set: {len(value)} values of '{key}' for {n} synapses")
        values = value if per_synapse else [value] * n
        out[key] = np.array([_number(key, v) for v in values], dtype=float)
    return out


def _flatten(d):
    """One synapse's dict with the optimizer's m and v moved to the top."""
    d = dict(d)
    for key in d:
        if key not in ("weight", "delay", "tau_m_readout", "optimizer", "m", "v"):
            raise unsupported(f"setting synapse property '{key}'")
    opt = d.pop("optimizer", None)
    if opt is not None:
        if not isinstance(opt, dict):
            raise NESTErrors.BadProperty("optimizer: expected a dict with m and/or v")
        for key, value in opt.items():
            if key not in ("m", "v"):
                raise unsupported(f"setting optimizer '{key}' per synapse (it is a property of "
                                  "the synapse model: SetDefaults)")
            d[key] = value
    return d


def _number(key, value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise NESTErrors.BadProperty(f"synapse '{key}' = {value!r}: expected a number") from None
    if not math.isfinite(x):
        raise NESTErrors.BadProperty(f"synapse '{key}' = {value!r} must be finite")
    return x
