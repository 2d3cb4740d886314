"""Project descriptions render to HTML that cannot run script."""

from __future__ import annotations

import pytest

from atlas.server.markdown import is_safe_url, render_markdown


def test_markdown_renders_headings_tables_and_links() -> None:
    html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[docs](https://x.org)")
    assert "<h1>Title</h1>" in html
    assert "<td>1</td>" in html
    assert '<a href="https://x.org" rel="nofollow noopener noreferrer">docs</a>' in html


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">')
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
    ],
)
def test_links_and_images_of_unsafe_schemes_are_not_linked(url: str) -> None:
    html = render_markdown(f"[click]({url}) ![img]({url}) <{url}>")
    assert "href=" not in html
    assert "src=" not in html


@pytest.mark.parametrize("url", ["java\tscript:alert(1)", "\x01javascript:alert(1)"])
def test_control_characters_do_not_hide_a_scheme(url: str) -> None:
    assert not is_safe_url(url)


@pytest.mark.parametrize(
    "url", ["https://a.org/x?y=1", "http://a.org", "mailto:a@b.org", "../runs/1", "#top", "x:y/z"]
)
def test_safe_urls(url: str) -> None:
    assert is_safe_url(url) is (not url.startswith("x:"))


def test_relative_image_is_kept() -> None:
    assert '<img src="plots/a.png" alt="plot" />' in render_markdown("![plot](plots/a.png)")
