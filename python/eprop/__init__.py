"""eprop: event-driven e-prop training of recurrent spiking networks, with NEST 3.10's numbers.

Two ways in (docs/user/python.md):

* the native API of this module: build a network in code (:class:`Network`) or read a network
  file (:func:`read_network_file`), :class:`Simulation` runs it in chunks and hands recordings
  and weights back as numpy arrays; :func:`train` runs one of NEST's e-prop examples as
  ``eprop train`` does; :func:`bench` runs the paper's efficiency benchmark as ``eprop bench``;
* :mod:`eprop.nest`, a PyNEST-compatible layer: ``import eprop.nest as nest``.

Under ``mpirun`` every Simulation spans all ranks (:func:`mpi_rank`, :func:`mpi_size`); every
rank runs the same script and gets the same results.

Errors: every deliberate error is an :class:`Error`; invalid input raises :class:`ConfigError`
or :class:`DataError`, which are also ``ValueError``.
"""

from ._eprop import (  # noqa: F401
    ConfigError,
    ConnectionSpec,
    DataError,
    Error,
    KernelSpec,
    NetworkSpec,
    OptimizerSpec,
    PopulationSpec,
    RecorderSpec,
    Simulation,
    __version__,
    format_network,
    mpi_rank,
    mpi_size,
    parse_network,
    read_network_file,
    write_network_file,
)
from ._bench import bench, bench_estimate, bench_variants  # noqa: F401
from ._network import Network, make  # noqa: F401
from ._train import describe_config, read_metrics, resume, train, train_tasks  # noqa: F401

__all__ = [
    "bench", "bench_estimate", "bench_variants", "ConfigError", "ConnectionSpec", "DataError",
    "Error", "KernelSpec", "Network", "NetworkSpec", "OptimizerSpec", "PopulationSpec",
    "RecorderSpec", "Simulation", "describe_config", "format_network", "make", "mpi_rank",
    "mpi_size", "parse_network", "read_metrics", "read_network_file", "resume", "train",
    "train_tasks", "write_network_file",
]
