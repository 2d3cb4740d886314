"""``httpx`` as the SDK imports it: without its command-line client.

``import httpx`` also imports ``httpx._main``, httpx's own command-line client, which loads
``rich`` and ``click`` where they are installed: about half of httpx's import (some 70 ms of
CPU), paid by every job's process at its first metric and by every sweep trial. No job runs
httpx's command line, so the SDK imports httpx with that module marked missing (httpx then
defines a stand-in ``httpx.main``) and unmarks it at once, so that a later
``import httpx._main`` still works. Every module of the SDK takes httpx from here.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]
else:
    import httpx

__all__ = ["httpx"]
