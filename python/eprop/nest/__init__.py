"""eprop.nest: the PyNEST 3.10 interface on eprop, for NEST's e-prop scripts.

``import eprop.nest as nest`` and run a NEST e-prop script unchanged. Create and Connect are
collected; the network is built at the first Simulate (or GetConnections) and later changes
(generator inputs, learning rates via SetDefaults) go to the running simulation. Defaults
reproduce NEST's numbers: double precision and stepwise eligibility integration
(``nest.set(eligibility_integration="closed_form", precision="single")`` trades them for speed);
results do not depend on total_num_virtual_procs. Anything of PyNEST eprop cannot honour raises
NESTError saying what is not supported. Coverage: docs/user/python.md.
"""

import enum
import sys
import types

import numpy as np

from .. import _eprop
from . import _models, random  # noqa: F401
from ._collections import NodeCollection
from ._errors import NESTError, NESTErrors
from ._kernel import Kernel
from ._models import NODE_MODELS, SYNAPSE_MODELS
from ._synapses import SynapseCollection, connections

_kernel = Kernel()


class VerbosityLevel(enum.IntEnum):
    """PyNEST's verbosity levels."""
    ALL = 0
    DEBUG = 5
    STATUS = 7
    INFO = 10
    DEPRECATED = 18
    WARNING = 20
    ERROR = 30
    FATAL = 40
    QUIET = 100


_verbosity = VerbosityLevel.INFO


def ResetKernel():
    """Forgets all nodes, connections and settings."""
    _kernel.reset()


def set(**kwargs):  # noqa: A001 - PyNEST's name
    """Kernel properties: resolution, total_num_virtual_procs, local_num_threads, print_time,
    rng_seed, eprop_update_interval, eprop_learning_window, eprop_reset_neurons_on_update; and
    eprop's eligibility_integration ("stepwise", "closed_form") and precision ("double", "single")."""
    _kernel.set(**kwargs)


def get(*keys):
    """Kernel properties by name."""
    if len(keys) == 1 and isinstance(keys[0], str):
        return _kernel.get(keys[0])
    names = keys[0] if len(keys) == 1 else keys
    return {k: _kernel.get(k) for k in names}


def SetKernelStatus(params):
    set(**params)


def GetKernelStatus(keys=None):
    if keys is None:
        return {k: _kernel.get(k) for k in list(_kernel.settings) + ["biological_time"]}
    return get(keys)


def _ids(nodes):
    if isinstance(nodes, NodeCollection):
        return nodes._ids
    arr = np.asarray(nodes, dtype=np.int64).ravel()
    for i in arr:
        _kernel.block_of(int(i))
    return arr


def Create(model, n=1, params=None, positions=None):
    """``Create(model)``, ``Create(model, n)``, ``Create(model, n, params)``,
    ``Create(model, params)``, ``Create(model, params=...)``; params may be a dict (values may be
    ``nest.random.normal(...)``) or a list of dicts, one per node."""
    if positions is not None:
        raise NESTErrors.NotImplemented("eprop.nest does not support spatial positions")
    if isinstance(n, (dict, list, tuple)) and params is None:
        n, params = (len(n) if isinstance(n, (list, tuple)) else 1), n
    return NodeCollection(_kernel, _kernel.create(model, int(n), params))


def Connect(pre, post, conn_spec=None, syn_spec=None, return_synapsecollection=False):
    """Connect with rules all_to_all (default), one_to_one, fixed_indegree, pairwise_bernoulli;
    conn_spec as a dict or the rule's name; syn_spec keys synapse_model, weight, delay,
    receptor_type, tau_m_readout, average_gradient. pre and post may be arrays of node IDs."""
    if return_synapsecollection:
        raise NESTErrors.NotImplemented("eprop.nest does not support return_synapsecollection")
    if conn_spec is None:
        conn_spec = {"rule": "all_to_all"}
    elif isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    if isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    _kernel.connect(_ids(pre), _ids(post), dict(conn_spec), dict(syn_spec or {}))


def Simulate(t):
    """Advances the network by t ms (builds it at the first call)."""
    _kernel.simulate(t)


def Run(t):
    Simulate(t)


def Prepare():
    _kernel.build()


def Cleanup():
    pass


def SetDefaults(model, params, val=None):
    """Defaults of a node model (before Create) or a synapse model (optimizer dict,
    weight_recorder, tau_m_readout, average_gradient, weight, delay); a new optimizer eta
    applies to the existing synapses of the running network."""
    if val is not None:
        params = {params: val}
    _kernel.set_defaults(model, dict(params))


def GetDefaults(model, keys=None):
    if model in _kernel.syn_defaults:
        d = dict(_kernel.syn_defaults[model])
    elif model in NODE_MODELS and model not in _models.RECORDERS:
        d = _models.node_status(model, _kernel.node_defaults.get(model, {}), simulated=False)
    elif model in NODE_MODELS:
        d = dict(_models.RECORDER_DEFAULTS[model], **_kernel.node_defaults.get(model, {}))
    else:
        raise NESTErrors.UnknownModelName(f"model '{model}' is unknown to eprop.nest")
    if keys is None:
        return d
    if isinstance(keys, str):
        if keys not in d:
            raise NESTErrors.NotImplemented(
                f"eprop.nest does not support reading the default '{keys}' of {model}")
        return d[keys]
    return {k: d[k] for k in keys}


def SetStatus(nodes, params, val=None):
    if val is not None:
        params = {params: val}
    nodes.set(params)


def GetStatus(nodes, keys=None):
    values = [node.get() if keys is None else node.get(keys) for node in nodes]
    return tuple(values)


def GetConnections(source=None, target=None, synapse_model=None):
    """The connections (builds the network if it is not built yet)."""
    rows = connections(_kernel, None if source is None else _ids(source),
                       None if target is None else _ids(target), synapse_model)
    return SynapseCollection(_kernel, rows)


def set_verbosity(level):
    global _verbosity
    if isinstance(level, str):
        level = VerbosityLevel[level.replace("M_", "")]
    _verbosity = VerbosityLevel(level)


def get_verbosity():
    return _verbosity


def Rank():
    """This process's rank under mpirun (0 without it); every rank holds all results."""
    return _eprop.mpi_rank()


def NumProcesses():
    """The number of MPI processes the network is distributed over (1 without mpirun)."""
    return _eprop.mpi_size()


def CopyModel(*args, **kwargs):
    raise NESTErrors.NotImplemented("eprop.nest does not support CopyModel")


def Install(*args, **kwargs):
    raise NESTErrors.NotImplemented("eprop.nest does not support Install (extension modules)")


class _NestModule(types.ModuleType):
    """Module attributes as PyNEST has them: nest.resolution, nest.verbosity = ..., ..."""

    _kernel_attrs = ("resolution", "total_num_virtual_procs", "local_num_threads", "print_time",
                     "rng_seed", "eprop_update_interval", "eprop_learning_window",
                     "eprop_reset_neurons_on_update", "biological_time", "network_size",
                     "eligibility_integration", "precision")

    def __getattr__(self, name):
        if name in _NestModule._kernel_attrs:
            return _kernel.get(name)
        if name == "verbosity":
            return _verbosity
        if name == "node_models":
            return tuple(NODE_MODELS)
        if name == "synapse_models":
            return tuple(SYNAPSE_MODELS)
        raise AttributeError(f"eprop.nest has no attribute '{name}' (not supported by eprop)")

    def __setattr__(self, name, value):
        if name in _NestModule._kernel_attrs:
            _kernel.set(**{name: value})
        elif name == "verbosity":
            set_verbosity(value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _NestModule

__all__ = ["Connect", "Create", "GetConnections", "GetDefaults", "GetKernelStatus", "GetStatus",
           "NESTError", "NESTErrors", "NodeCollection", "NumProcesses", "Rank", "ResetKernel",
           "SetDefaults", "SetKernelStatus", "SetStatus", "Simulate", "SynapseCollection",
           "VerbosityLevel", "get", "random", "set", "set_verbosity"]
