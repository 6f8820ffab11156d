"""The package version, in the one place both the package and its build read it."""

__version__ = "0.1.0"
