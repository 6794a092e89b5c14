"""NEST's exceptions: ``nest.NESTError`` and the ``nest.NESTErrors`` namespace."""


class NESTError(Exception):
    """Any error the PyNEST layer raises, as PyNEST's ``nest.NESTError``."""


class _Errors:
    """``nest.NESTErrors.<Name>``: NESTError subclasses with NEST's names."""

    class BadProperty(NESTError):
        """Unknown or invalid model or kernel property."""

    class BadParameter(NESTError):
        """A parameter value out of range."""

    class UnknownModelName(NESTError):
        """No model of that name."""

    class IllegalConnection(NESTError):
        """A connection the models do not allow."""

    class UnknownNode(NESTError):
        """A node ID that does not exist."""

    class KernelException(NESTError):
        """A state the kernel cannot handle."""

    class NotImplemented(NESTError):
        """A PyNEST feature eprop does not provide."""


NESTErrors = _Errors


def unsupported(what):
    """The error for a PyNEST feature eprop cannot honour (never a silent wrong answer)."""
    return NESTErrors.NotImplemented(f"eprop.nest does not support {what}")
