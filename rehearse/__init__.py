"""rehearse: voice-driven rehearsal for the second interview."""

__version__ = "0.1.0"
