"""VSH Guidance Assistant: configuration and the `vsh` command line that wires the packages together."""

__all__ = ["__version__"]

__version__ = "0.1.0"
