"""medasr: clinical speech to structured note.

Importing this package loads no model and no torch; heavy parts are imported inside the
functions that need them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
