"""Shared helpers of the Python tests (run by CTest with PYTHONPATH=build/<preset>/python)."""

import os
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent


def shared_dir():
    """../shared (SPEC, reference cases, baseline); tests that need it skip when it is absent."""
    return pathlib.Path(os.environ.get("EPROP_SHARED_DIR", REPO.parent / "shared"))


def networks_dir():
    return pathlib.Path(os.environ.get("EPROP_TEST_NETWORKS_DIR", REPO / "tests" / "networks"))


@pytest.fixture
def shared():
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set EPROP_SHARED_DIR)")
    return path


@pytest.fixture
def nest():
    """eprop.nest with a fresh kernel."""
    import eprop.nest as nest_module
    nest_module.ResetKernel()
    return nest_module
