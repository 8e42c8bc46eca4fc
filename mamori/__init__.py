"""mamori (守り): a municipality runs its own regulations on information systems and data protection."""

__version__ = "0.1.0"
