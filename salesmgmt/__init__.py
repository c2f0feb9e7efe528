"""salesmgmt: the domain core of the sales-management dashboard (no UI framework in here)."""

__version__ = "0.1.0"
