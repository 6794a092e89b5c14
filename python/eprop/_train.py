"""``eprop train`` from Python: :func:`train` and :func:`resume`."""

import csv
import json
import math
import os

import numpy as np

from . import _eprop


def train_tasks():
    """The tasks train() knows: "sine", "evidence", "nmnist"."""
    return list(_eprop.train_tasks())


def describe_config(task):
    """Reference text of a task's config keys (as ``eprop train --help``)."""
    return _eprop.describe_config(task)


def _override(key, value):
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, np.integer)):
        text = str(int(value))
    elif isinstance(value, (float, np.floating)):
        text = repr(float(value)) if math.isfinite(value) else ("nan" if value != value else
                                                                ("inf" if value > 0 else "-inf"))
    elif isinstance(value, str):
        text = json.dumps(value)
    else:
        raise _eprop.ConfigError(f"config: {key} = {value!r} must be a number, bool or string")
    return f"{key}={text}"


def _config_args(config, overrides):
    """A config file path and key=value overrides from train()'s arguments."""
    path = None
    items = []
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
    elif isinstance(config, dict):
        items += [_override(k, v) for k, v in config.items()]
    elif config is not None:
        raise TypeError("config must be a path to a TOML file, a dict of 'table.key': value, or None")
    if isinstance(overrides, dict):
        items += [_override(k, v) for k, v in overrides.items()]
    elif overrides:
        items += list(overrides)
    return path, items


def read_metrics(out):
    """metrics.csv of a run directory as a dict of numpy arrays (iteration, phase, loss, error,
    wall_time_s)."""
    with open(os.path.join(os.fspath(out), "metrics.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        "iteration": np.array([int(r["iteration"]) for r in rows], dtype=np.int64),
        "phase": np.array([r["phase"] for r in rows], dtype=str),
        "loss": np.array([float(r["loss"]) for r in rows], dtype=np.float64),
        "error": np.array([float(r["error"]) for r in rows], dtype=np.float64),
        "wall_time_s": np.array([float(r["wall_time_s"]) for r in rows], dtype=np.float64),
    }


def _result(summary, out):
    summary = dict(summary)
    summary["out"] = os.fspath(out)
    summary["metrics"] = read_metrics(out)
    return summary


def train(task, config=None, out=None, *, overrides=None, progress=None, verbose=False,
          checkpoint_every=-1, stop_after=0, overwrite=False):
    """Trains one of NEST's e-prop examples as ``eprop train TASK`` does.

    task: "sine", "evidence" or "nmnist". config: a TOML file (docs/user/training.md), or a dict
    {"training.n_iter": 20, ...}, or None for the NEST example's settings; overrides: more
    "key=value" strings or a dict. out: the run directory (results, recordings, checkpoints).
    progress: called after every iteration with a dict (iteration, phase, loss, error,
    wall_time_s, completed, planned); an exception it raises stops the run after a checkpoint and
    is raised here. Ctrl-C stops after the current iteration with a checkpoint (resume() goes on)
    and raises KeyboardInterrupt.

    Returns a dict: status ("completed" or "stopped"), iterations, final_loss, wall_time_s, out
    and metrics (a dict of numpy arrays: iteration, phase, loss, error, wall_time_s).
    Bad settings raise ConfigError (a ValueError) with the CLI's messages.
    """
    if out is None:
        raise _eprop.ConfigError("no output directory given (out=...)")
    path, items = _config_args(config, overrides)
    summary = _eprop.train(task, path, items, os.fspath(out), progress, bool(verbose),
                           int(checkpoint_every), int(stop_after), bool(overwrite))
    return _result(summary, out)


def resume(out, *, progress=None, verbose=False, stop_after=0, threads=0):
    """Continues an interrupted or stopped run in ``out`` from its checkpoint; returns as train()."""
    summary = _eprop.resume(os.fspath(out), progress, bool(verbose), int(stop_after), int(threads))
    return _result(summary, out)
