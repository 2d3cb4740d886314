"""The interactive API docs (Swagger UI) at ``/api/v1/docs``, served whole by the server.

FastAPI's own docs page loads Swagger UI's script and style sheet from a CDN, so it is blank
on a machine without internet access. Here the page points at copies shipped in the
``swagger-ui-bundle-v2`` package (Swagger UI's own files, Apache-2.0), served under
``/api/v1/docs/assets/``; the page names no address outside the server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from atlas.errors import NotFoundError

__all__ = ["ASSETS", "install_api_docs"]

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
"""The files of Swagger UI the docs page loads, with their content types."""

_CACHE = "public, max-age=86400"


def install_api_docs(app: FastAPI, prefix: str) -> None:
    """Serve the docs page at ``{prefix}/docs`` (its OAuth2 redirect page at
    ``{prefix}/docs/oauth2-redirect``) and its assets at ``{prefix}/docs/assets/{name}``,
    for the schema at ``app.openapi_url``. The app must be created with ``docs_url=None``."""
    folder = Path(str(swagger_ui_path))
    assets = f"{prefix}/docs/assets"
    redirect = f"{prefix}/docs/oauth2-redirect"

    def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=redirect,
        )

    def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    def asset(request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in ASSETS:
            raise NotFoundError(f"no docs asset {name[:100]!r}", detail={"name": name[:100]})
        return FileResponse(
            folder / name, media_type=ASSETS[name], headers={"Cache-Control": _CACHE}
        )

    app.add_route(f"{prefix}/docs", docs, include_in_schema=False)
    app.add_route(redirect, oauth2_redirect, include_in_schema=False)
    app.add_route(assets + "/{name}", asset, include_in_schema=False)
