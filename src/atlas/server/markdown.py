"""Project descriptions: markdown rendered to HTML that is safe to put in the GUI.

CommonMark with tables and strikethrough, through markdown-it-py with raw HTML disabled (a
``<script>`` is shown as text). Links and images keep only ``http``, ``https`` and ``mailto``
URLs or relative ones; any other scheme (``javascript:``, ``data:``, ``vbscript:``, ...)
leaves the text unlinked. Links get ``rel="nofollow noopener noreferrer"``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = ["SAFE_SCHEMES", "is_safe_url", "render_markdown"]

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def is_safe_url(url: str) -> bool:
    """Whether ``url`` may be a link or image source: relative, or of a safe scheme.

    Browsers drop tabs, newlines and other control characters inside a scheme
    (``java\\tscript:``), so those are removed before the scheme is read.
    """
    match = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", url))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False})
    parser.enable(["table", "strikethrough"])
    parser.validateLink = is_safe_url  # type: ignore[method-assign]
    parser.add_render_rule("link_open", _link_open)
    return parser


def render_markdown(text: str) -> str:
    """``text`` (markdown) as sanitised HTML."""
    html: str = _parser().render(text)
    return html
