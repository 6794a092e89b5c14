"""``nest.random``: random parameters drawn per node with NEST's own random stream."""

from ._errors import unsupported


class Parameter:
    """A random parameter value; Create draws one value per node."""

    def __init__(self, kind, **args):
        self.kind = kind
        self.args = args

    def __repr__(self):
        return f"nest.random.{self.kind}({', '.join(f'{k}={v}' for k, v in self.args.items())})"


def normal(mean=0.0, std=1.0):
    """Normal values, drawn in Create as NEST 3.10 draws them (mt19937_64 per virtual process,
    libstdc++'s normal_distribution), so that scripts using it reproduce NEST's numbers."""
    return Parameter("normal", mean=float(mean), std=float(std))


def _not_supported(name):
    def draw(*args, **kwargs):
        raise unsupported(f"nest.random.{name} (only nest.random.normal is implemented)")
    draw.__name__ = name
    return draw


def uniform(min=0.0, max=1.0):  # noqa: A002 - PyNEST's names
    """Uniform values in [min, max), drawn in Create as NEST 3.10 draws them."""
    return Parameter("uniform", min=float(min), max=float(max))


uniform_int = _not_supported("uniform_int")
lognormal = _not_supported("lognormal")
exponential = _not_supported("exponential")
