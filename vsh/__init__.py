"""VSH Guidance Assistant: the `vsh` command line that wires the packages together (imported by nothing)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
