"""Ports of NEST's sine-wave regression examples (SPEC 11.1, 11.2) through eprop.nest: the first
iterations' losses equal NEST's run of the shipped scripts (../shared/baseline)."""

import csv

import numpy as np
import pytest

import sine_scripts

N_ITER = 3


def baseline(shared, column):
    with open(shared / "baseline" / "nest_baseline_losses.csv", newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    header, rows = rows[0], rows[1:]
    k = header.index(column)
    return np.array([float(r[k]) for r in rows])


def test_sine_example(nest, shared):
    losses = sine_scripts.event_driven(nest, n_iter=N_ITER, sequence=1000,
                                       optimize_each_step=False, width=1.0 / 33.3,
                                       final_update=True)
    np.testing.assert_allclose(losses, baseline(shared, "sine")[:N_ITER], rtol=1e-8)


def test_sine_bsshslm_example(nest, shared):
    losses = sine_scripts.bsshslm(nest, n_iter=N_ITER)
    np.testing.assert_allclose(losses, baseline(shared, "sine_bsshslm")[:N_ITER], rtol=1e-8)
