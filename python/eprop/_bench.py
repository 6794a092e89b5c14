"""The paper's efficiency benchmark from Python: the same runs as ``eprop bench``."""

import json
import os

from . import _eprop


def bench_variants():
    """The four variants: ``eprop_plus``, ``eprop_original``, ``static``, ``stdp``."""
    return list(_eprop._bench_variants())


def bench_estimate(variant, n_rec, **options):
    """Memory one run needs, from the sizes alone (nothing is built).

    Returns ``(synapses, bytes)``. Takes the options of :func:`bench`; raises
    :class:`eprop.ConfigError` for sizes, rates or in-degrees out of range.
    """
    return _eprop._bench_estimate(variant, n_rec, **options)


def bench(variant, n_rec, **options):
    """Builds the benchmark network of one variant and size, simulates it and returns its record.

    The network is that of PAPER_EXPERIMENTS 6.1 and ``eprop bench`` (``docs/benchmarks.md``,
    "Paper benchmark"): ``n_rec`` recurrent neurons in ignore-and-spike (e-prop variants) or
    ignore-and-fire (``static``, ``stdp``) mode, so that every variant has the same spikes.
    Options (defaults as ``eprop bench``): ``n_in`` (0: n_rec / 10), ``n_out`` (0: n_rec / 1000),
    ``indegree_rec`` (100), ``indegree_in`` (10), ``indegree_out`` (10), ``rate_rec`` and
    ``rate_in`` (Hz, 10), ``time_ms`` (1000), ``precision`` (``"float"`` or ``"double"``),
    ``threads`` (1), ``seed`` (1).

    Returns the JSON record of ``eprop bench`` as a dict (``variant``, ``n_rec``, ``spikes``,
    ``synaptic_events``, ``wall_s_per_sim_s``, the time per phase, memory, bytes per synapse...).
    It runs in this process, so its peak memory figure includes the interpreter's; the CLI runs
    each configuration in a process of its own. A run whose estimate exceeds the machine's memory
    is refused with :class:`eprop.ConfigError` before anything is allocated.
    """
    _, needed = _eprop._bench_estimate(variant, n_rec, **options)
    available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if needed > available:
        raise _eprop.ConfigError(
            f"bench: {variant} with n_rec = {n_rec} needs about {needed / 2**30:.1f} GiB, "
            f"more than this machine's {available / 2**30:.1f} GiB")
    return json.loads(_eprop._bench_run(variant, n_rec, **options))

