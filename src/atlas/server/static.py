"""The built web GUI, served at ``/`` by the same app as the API.

``make setup`` builds ``web/`` into ``src/atlas/server/static/`` (git-ignored). Files there are
served as they are (hashed files under ``assets/`` cached for a year); a ``GET`` or ``HEAD``
of one of the GUI's own pages (``CLIENT_ROUTES``: ``/``, ``/projects/...``, ``/jobs/...``,
``/compare``, ``/scheduler``) answers ``index.html``, so a page opened directly or reloaded
still shows; so does any other address a browser asks for as HTML (the GUI then shows its
"page not found"). The GUI never shadows the API: it only answers requests that no route
matched, never under ``/api``, ``/healthz`` or ``/docs``, and a client that does not ask for
HTML gets the API's JSON 404. When the GUI was not built, its pages answer a page saying how
to build it.
"""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["CLIENT_ROUTES", "GUI_FOLDER", "RESERVED_PREFIXES", "install_gui"]

GUI_FOLDER = Path(__file__).parent / "static"
"""Where ``make setup`` puts the built GUI."""

CLIENT_ROUTES = frozenset({"", "projects", "jobs", "compare", "scheduler"})
"""First path segments of the GUI's pages (web/src/app/routes.tsx)."""

RESERVED_PREFIXES = frozenset({"api", "healthz", "docs"})
"""First path segments that belong to the API: never answered with the GUI."""

_INDEX = "index.html"
_IMMUTABLE = "public, max-age=31536000, immutable"
_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'self'; base-uri 'self'"
)
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atlas: web GUI not built</title>
<style>body{{font:15px system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;
line-height:1.5}}code{{background:#8882;padding:.1rem .3rem;border-radius:3px}}</style></head>
<body><h1>The Atlas web GUI is not built</h1>
<p>This server answers the API at <a href="/api/v1/docs"><code>/api/v1</code></a>, but the
GUI's files are missing from <code>{folder}</code>.</p>
<p>Build them from a checkout of Atlas with <code>make setup</code> (it runs
<code>npm ci</code> and <code>npm run build</code> in <code>web/</code>), then reload this
page.</p></body></html>
"""


def install_gui(app: FastAPI, folder: Path = GUI_FOLDER) -> None:
    """Serve the GUI built into ``folder`` for ``GET``/``HEAD`` requests of its pages and
    files (and of any address a browser asks for as HTML) that no API route matched, keeping
    the API's own 404 for every other request and its 405 for wrong methods on existing
    routes."""
    fallback = app.router.default
    gui = _Gui(folder)

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await fallback(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if not gui.answers(path, wants_html="text/html" in request.headers.get("accept", "")):
            await fallback(scope, receive, send)
            return
        response = gui.response(path)
        await response(scope, receive, send)

    app.router.default = default


class _Gui:
    """The files of one built GUI and how each path is answered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def answers(self, path: str, *, wants_html: bool) -> bool:
        """Whether the GUI answers ``path`` (one of its pages or files, or any address a
        browser navigates to) rather than the API's 404."""
        first = path.lstrip("/").split("/", 1)[0]
        if first in RESERVED_PREFIXES:
            return False
        return first in CLIENT_ROUTES or wants_html or self._file(path) is not None

    def response(self, path: str) -> Response:
        """The file at ``path``, else ``index.html`` (a client route), else the page that
        says how to build the GUI."""
        index = self.folder / _INDEX
        if not index.is_file():
            return HTMLResponse(
                _NOT_BUILT.format(folder=html.escape(str(self.folder))), status_code=503
            )
        file = self._file(path)
        if file is None:
            return FileResponse(index, headers=_index_headers())
        cache = _IMMUTABLE if file.parent.name == "assets" else "no-cache"
        return FileResponse(file, headers={"Cache-Control": cache})

    def _file(self, path: str) -> Path | None:
        parts = PurePosixPath(path).parts[1:]
        if not parts or any(part in ("..", ".") or "\\" in part for part in parts):
            return None
        candidate = self.folder.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except OSError:
            return None
        if not resolved.is_file() or not resolved.is_relative_to(self.folder):
            return None
        if resolved.name == _INDEX:
            return None  # served with its own headers
        return resolved


def _index_headers() -> dict[str, str]:
    return {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": _CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
