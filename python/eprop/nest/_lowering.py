"""Lowering the collected Connect calls and recorders into eprop ConnectionSpecs and
RecorderSpecs: one spec per (source population, target population) pair of a Connect call;
full populations keep NEST's rule (all_to_all with its weight matrix, one_to_one), subsets and
node-ID arrays become explicit pairs in NEST's creation order."""


import numpy as np

from .. import _eprop
from .._network import make
from . import _models
from ._errors import NESTErrors, unsupported


class SegmentTable:
    """Node ID -> (population index, local index) once the populations are known."""

    def __init__(self, kernel):
        self.names, self.firsts, self.sizes = [], [], []
        self.pop_of = np.full(kernel.next_id, -1, dtype=np.int64)
        self.local_of = np.zeros(kernel.next_id, dtype=np.int64)
        for block in kernel.blocks:
            for name, lo, hi in block.segments:
                p = len(self.names)
                self.names.append(name)
                self.firsts.append(block.first + lo)
                self.sizes.append(hi - lo)
                ids = np.arange(block.first + lo, block.first + hi)
                self.pop_of[ids] = p
                self.local_of[ids] = np.arange(hi - lo)

    def groups(self, ids):
        """Consecutive runs of ids within one population: (population, slice, local indices)."""
        if len(ids) == 0:
            return []
        pops = self.pop_of[ids]
        if np.any(pops < 0):
            raise NESTErrors.IllegalConnection("recorders cannot be sources or targets here")
        cuts = np.flatnonzero(np.diff(pops)) + 1
        bounds = np.concatenate(([0], cuts, [len(ids)]))
        return [(int(pops[a]), slice(int(a), int(b)), self.local_of[ids[a:b]])
                for a, b in zip(bounds[:-1], bounds[1:])]

    def full(self, p, local):
        return len(local) == self.sizes[p] and np.array_equal(local, np.arange(self.sizes[p]))


def _table(kernel):
    """The table of the build in progress (Kernel.build sets it)."""
    return kernel.table


def _array(value, what):
    if hasattr(value, "kind") and hasattr(value, "args"):
        raise unsupported(f"random {what} in Connect (nest.random parameters)")
    return np.asarray(value, dtype=np.float64)


def _syn_fields(kernel, model, syn_spec):
    """ConnectionSpec fields from the synapse model's defaults and syn_spec."""
    d = kernel.syn_defaults[model]
    fields = {"synapse": model, "receptor_type": int(syn_spec.get("receptor_type", d["receptor_type"]))}
    if model in _models.EPROP_SYNAPSES:
        opt = d["optimizer"]
        fields["optimizer"] = make(_eprop.OptimizerSpec, **{k: opt[k] for k in opt})
    if model == "eprop_synapse_bsshslm_2020":
        fields["tau_m_readout"] = float(syn_spec.get("tau_m_readout", d["tau_m_readout"]))
        fields["average_gradient"] = bool(syn_spec.get("average_gradient", d["average_gradient"]))
    return fields


RULES = ("all_to_all", "one_to_one", "fixed_indegree", "pairwise_bernoulli")
CONN_KEYS = ("rule", "allow_autapses", "allow_multapses", "indegree", "p")
SYN_KEYS = ("synapse_model", "weight", "delay", "receptor_type", "tau_m_readout",
            "average_gradient")


def check_connect(pre, post, conn_spec, syn_spec, weight=None, delay=None):
    """Checks of a Connect call that need no built network (run at Connect time)."""
    rule = conn_spec.get("rule", "all_to_all")
    if rule not in RULES:
        raise unsupported(f"the connection rule '{rule}' (rules: {', '.join(RULES)})")
    for key in conn_spec:
        if key not in CONN_KEYS:
            raise unsupported(f"conn_spec key '{key}'")
    for key in syn_spec:
        if key not in SYN_KEYS:
            raise unsupported(f"syn_spec key '{key}'")
    weight = _array(syn_spec.get("weight", 1.0), "weights") if weight is None else weight
    delay = _array(syn_spec.get("delay", 1.0), "delays") if delay is None else delay
    for name, arr in (("weight", weight), ("delay", delay)):
        if arr.size == 1:
            continue
        if rule == "all_to_all" and arr.shape != (len(post), len(pre)):
            raise NESTErrors.BadProperty(
                f"all_to_all: {name} must be a scalar or a matrix of shape (n_post, n_pre) = "
                f"({len(post)}, {len(pre)}), got shape {arr.shape}")
        if rule == "one_to_one" and arr.size != len(pre):
            raise NESTErrors.BadProperty(f"one_to_one: {name} needs one value per connection")
        if rule not in ("all_to_all", "one_to_one"):
            raise unsupported(f"{rule} with per-connection {name}s")
    if rule == "one_to_one" and len(pre) != len(post):
        raise NESTErrors.BadProperty(
            f"one_to_one: sources and targets differ in size ({len(pre)} vs {len(post)})")


def lower_connect(kernel, pre, post, conn_spec, syn_spec):
    """ConnectionSpecs of one Connect call, each with (synapse model, source first ID, target
    first ID, pairs) where pairs are explicit (source, target) local arrays or None."""
    table = _table(kernel)
    model = syn_spec.get("synapse_model", "static_synapse")
    d = kernel.syn_defaults[model]
    weight = _array(syn_spec.get("weight", d["weight"]), "weights")
    delay = _array(syn_spec.get("delay", d["delay"]), "delays")
    rule = conn_spec.get("rule", "all_to_all")
    autapses = bool(conn_spec.get("allow_autapses", True))
    check_connect(pre, post, conn_spec, syn_spec, weight, delay)
    base = _syn_fields(kernel, model, syn_spec)
    out = []

    def emit(sp, tp, rule_name, w, dl, sources=None, targets=None, extra=None):
        fields = dict(base, source=table.names[sp], target=table.names[tp], rule=rule_name,
                      weight=np.ravel(w).tolist(), delay=np.ravel(dl).tolist(), **(extra or {}))
        if sources is not None:
            fields.update(sources=sources.tolist(), targets=targets.tolist())
        info = (model, table.firsts[sp], table.firsts[tp],
                None if sources is None else (np.asarray(sources), np.asarray(targets)),
                rule_name)
        out.append((make(_eprop.ConnectionSpec, **fields), info))

    if rule == "all_to_all":
        _all_to_all(table, pre, post, weight, delay, autapses, emit)
    elif rule == "one_to_one":
        _one_to_one(table, pre, post, weight, delay, emit)
    elif rule in ("fixed_indegree", "pairwise_bernoulli"):
        gs, gt = table.groups(pre), table.groups(post)
        if len(gs) != 1 or len(gt) != 1 or not table.full(gs[0][0], gs[0][2]) or \
                not table.full(gt[0][0], gt[0][2]):
            raise unsupported(f"{rule} between parts of populations or across several Create calls")
        if weight.size != 1 or delay.size != 1:
            raise unsupported(f"{rule} with per-connection weights or delays")
        if not conn_spec.get("allow_multapses", True) and rule == "fixed_indegree":
            raise unsupported("fixed_indegree without multapses")
        extra = {"allow_autapses": autapses}
        if rule == "fixed_indegree":
            extra["indegree"] = int(conn_spec["indegree"])
        else:
            extra["p"] = float(conn_spec["p"])
        emit(gs[0][0], gt[0][0], rule, weight, delay, extra=extra)
    return out


def _all_to_all(table, pre, post, weight, delay, autapses, emit):
    for tp, ts, tl in table.groups(post):
        for sp, ss, sl in table.groups(pre):
            w = weight if weight.size == 1 else weight[ts, ss]
            dl = delay if delay.size == 1 else delay[ts, ss]
            if table.full(sp, sl) and table.full(tp, tl):
                emit(sp, tp, "all_to_all", w, dl,
                     extra={"allow_autapses": autapses or sp != tp})
                continue
            # NEST's order: targets outer, sources inner.
            sources = np.tile(sl, len(tl))
            targets = np.repeat(tl, len(sl))
            keep = np.ones(len(sources), dtype=bool)
            if not autapses and sp == tp:
                keep = sources != targets
            w = np.broadcast_to(w, (len(tl), len(sl))).ravel()[keep] if w.size > 1 else w
            dl = np.broadcast_to(dl, (len(tl), len(sl))).ravel()[keep] if dl.size > 1 else dl
            if keep.any():
                emit(sp, tp, "pairwise", w, dl, sources[keep], targets[keep])


def _one_to_one(table, pre, post, weight, delay, emit):
    sp_all, tp_all = table.pop_of[pre], table.pop_of[post]
    key = sp_all * (len(table.names) + 1) + tp_all
    order = []
    for k in key:  # groups in order of first appearance
        if not order or k != order[-1]:
            order.append(k)
    for k in dict.fromkeys(order):
        idx = np.flatnonzero(key == k)
        sp, tp = int(sp_all[idx[0]]), int(tp_all[idx[0]])
        sl, tl = table.local_of[pre[idx]], table.local_of[post[idx]]
        w = weight if weight.size == 1 else weight.ravel()[idx]
        dl = delay if delay.size == 1 else delay.ravel()[idx]
        if table.full(sp, sl) and table.full(tp, tl):
            emit(sp, tp, "one_to_one", w, dl)
        else:
            emit(sp, tp, "pairwise", w, dl, sl, tl)


def recorder_specs(kernel, conns):
    """RecorderSpecs of all recorders and, per spec, its recorder block and the offset(s) that
    turn local indices into node IDs."""
    table = _table(kernel)
    specs, owners = [], []
    for block in kernel.blocks:
        if not block.is_recorder:
            continue
        dev = block.device
        if dev.get("record_to", "memory") != "memory":
            raise unsupported(f"record_to = '{dev['record_to']}' (only 'memory')")
        common = {"start": float(dev["start"]), "stop": float(dev["stop"])}
        if block.model == "weight_recorder":
            for idx, info in enumerate(kernel.conn_info):
                if kernel.syn_defaults[info[0]]["weight_recorder"] is block:
                    specs.append(make(_eprop.RecorderSpec, type="weight_recorder",
                                      connection=idx, **common))
                    owners.append((block, (info[1], info[2])))
            continue
        if block.model == "multimeter":
            common.update(record_from=list(dev["record_from"]), interval=float(dev["interval"]))
        ids = np.concatenate(block.targets) if block.targets else np.zeros(0, dtype=np.int64)
        ids = np.unique(ids)  # sorted
        for p, _, local in table.groups(ids):
            neurons = [] if table.full(p, local) else local.tolist()
            specs.append(make(_eprop.RecorderSpec, type=block.model, population=table.names[p],
                              neurons=neurons, **common))
            owners.append((block, table.firsts[p]))
    return specs, owners
