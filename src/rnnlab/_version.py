"""The version, in a module of its own: everything may read it without importing the package's front door."""

__version__ = "0.1.0"
