"""Atlas: track, compare and reproduce machine-learning jobs.

``import atlas`` is light (standard library only; the HTTP client loads in the background
sender). The first tracking call in a process with no job starts one; see docs/sdk.md.
"""

from atlas.version import __version__

__all__ = ["__version__"]
