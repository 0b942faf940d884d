"""voting: live voting on discussion statements."""

__version__ = "0.1.0"
