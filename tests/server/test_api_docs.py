"""The Swagger page works offline: it names no address outside the server, and the server
serves every asset it loads."""

from __future__ import annotations

import re

from tests.server.conftest import API, TestClient, assert_error

ASSET = re.compile(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""")


def test_the_docs_page_loads_nothing_from_the_internet(client: TestClient) -> None:
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert re.search(r"https?://", page.text) is None, page.text
    assets = ASSET.findall(page.text)
    assert f"{API}/openapi.json" in assets
    loaded = [a for a in assets if a.startswith(f"{API}/docs/assets/")]
    assert len(loaded) == 3, assets
    types = set()
    for url in loaded:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 100, url
        types.add(answer.headers["content-type"].split(";")[0])
    assert types == {"text/javascript", "text/css", "image/png"}
    bundle = client.get(f"{API}/docs/assets/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle


def test_only_the_docs_assets_are_served(client: TestClient) -> None:
    for name in ("index.html", "..%2F__init__.py", "swagger-ui.js.map", "nothing"):
        assert_error(client.get(f"{API}/docs/assets/{name}"), 404, "not_found")


def test_the_oauth2_redirect_page_is_served(client: TestClient) -> None:
    page = client.get(f"{API}/docs/oauth2-redirect")
    assert page.status_code == 200
    assert re.search(r"https?://", page.text) is None
