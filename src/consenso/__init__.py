"""Consenso: a self-hosted data annotation platform for teams that must prove the quality of their labels."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("consenso")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
