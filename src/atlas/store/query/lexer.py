"""The lexer of the job query language: text in, a list of tokens out.

A field path such as ``metrics.`val.loss`.min`` is one ``PATH`` token made of segments (a
segment in backticks may hold any character); keywords (``and``, ``in``, ``true``, ...) are
one-segment paths recognised by the parser, case-insensitively.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from enum import StrEnum

from atlas.errors import QuerySyntaxError

__all__ = ["MAX_QUERY_LENGTH", "Segment", "Token", "TokenKind", "tokenize"]

MAX_QUERY_LENGTH = 10_000
"""Longest filter or sort text accepted, in characters."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "!~", "=", "<", ">", "~")
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "`": "`", "n": "\n", "t": "\t"}
_PUNCTUATION = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}


class TokenKind(StrEnum):
    """What a token is."""

    PATH = "path"
    STRING = "string"
    NUMBER = "number"
    OP = "op"
    SIGN = "sign"  # a lone '-' or '+' (only meaningful in sort fields)
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "end of query"


@dataclass(frozen=True, slots=True)
class Segment:
    """One dot-separated part of a path; ``quoted`` when it was written in backticks."""

    text: str
    quoted: bool
    position: int


@dataclass(frozen=True, slots=True)
class Token:
    """A token: ``text`` is its source text, ``value`` its decoded value."""

    kind: TokenKind
    text: str
    position: int
    value: str | float | int | None = None
    segments: tuple[Segment, ...] = ()

    def keyword(self) -> str | None:
        """The lower-cased word when this is a one-segment unquoted path, else ``None``."""
        if self.kind is TokenKind.PATH and len(self.segments) == 1:
            segment = self.segments[0]
            return None if segment.quoted else segment.text.lower()
        return None


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-/"


def _is_word_start(char: str) -> bool:
    return char.isalpha() or char in "_`"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def fail(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError.at(message, query=self.text, position=position)

    def run(self) -> list[Token]:
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                self.tokens.append(Token(TokenKind.EOF, "", len(text)))
                return self.tokens
            self.tokens.append(self.next_token())

    def next_token(self) -> Token:
        char = self.text[self.pos]
        start = self.pos
        if char in _PUNCTUATION:
            self.pos += 1
            return Token(TokenKind(char), char, start)
        if char in "\"'":
            value, self.pos = self.quoted(start, "string")
            return Token(TokenKind.STRING, self.text[start : self.pos], start, value)
        if _is_word_start(char):
            return self.path()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            return self.number(number)
        if char in "+-":
            self.pos += 1
            return Token(TokenKind.SIGN, char, start)
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return Token(TokenKind.OP, op, start)
        hint = "; did you mean '!='?" if char == "!" else ""
        raise self.fail(f"unexpected character {char!r}{hint}", start)

    def number(self, match: re.Match[str]) -> Token:
        start, end = match.span()
        if end < len(self.text) and (_is_word_char(self.text[end]) or self.text[end] == "."):
            raise self.fail(f"invalid number {self.text[start : end + 1]!r}", start)
        source = match.group()
        number = float(source)  # a float has no digit limit: huge values become inf or 0.0
        if not math.isfinite(number):
            shown = source if len(source) <= 40 else f"{source[:20]}…{source[-8:]}"
            raise self.fail(
                f"number {shown} is out of range (at most about {sys.float_info.max:.3g})", start
            )
        value: float | int = number
        if abs(number) < 2**53 and _INTEGER.fullmatch(source):
            # From the float, not the text: int() refuses text over 4,300 digits ("000...1").
            value = int(number)
        self.pos = end
        return Token(TokenKind.NUMBER, source, start, value)

    def path(self) -> Token:
        start = self.pos
        segments = [self.segment()]
        while self.pos < len(self.text) and self.text[self.pos] == ".":
            self.pos += 1
            if self.pos >= len(self.text) or not (
                _is_word_char(self.text[self.pos]) or self.text[self.pos] == "`"
            ):
                raise self.fail("expected a key after '.'", self.pos)
            segments.append(self.segment())
        return Token(TokenKind.PATH, self.text[start : self.pos], start, segments=tuple(segments))

    def segment(self) -> Segment:
        start = self.pos
        if self.text[start] == "`":
            text, self.pos = self.quoted(start, "quoted key")
            if not text:
                raise self.fail("empty quoted key", start)
            return Segment(text, True, start)
        while self.pos < len(self.text) and _is_word_char(self.text[self.pos]):
            self.pos += 1
        return Segment(self.text[start : self.pos], False, start)

    def quoted(self, start: int, what: str) -> tuple[str, int]:
        """Decode the quoted text opening at ``start``; return it and the offset after it."""
        quote, text = self.text[start], self.text
        parts: list[str] = []
        pos = start + 1
        while pos < len(text):
            char = text[pos]
            if char == quote:
                return "".join(parts), pos + 1
            if char == "\\" and pos + 1 < len(text):
                escaped = text[pos + 1]
                # Unknown escapes stay as written, so regexes like "\d+" need no doubling.
                parts.append(_ESCAPES.get(escaped, "\\" + escaped))
                pos += 2
                continue
            parts.append(char)
            pos += 1
        raise self.fail(f"unclosed {what}", start)


def check_text(text: str) -> None:
    """Reject text no database can store: too long, NUL characters, lone surrogates."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"query too long ({len(text):,} characters; at most {MAX_QUERY_LENGTH:,})",
            detail={"query": text[:200], "position": MAX_QUERY_LENGTH},
        )
    for position, char in enumerate(text):
        if _is_unstorable(char):
            # Echo the query with the bad characters replaced, so the error itself encodes.
            shown = "".join("\ufffd" if _is_unstorable(c) else c for c in text)
            raise QuerySyntaxError.at(
                f"character {char!r} is not allowed", query=shown, position=position
            )


def _is_unstorable(char: str) -> bool:
    return char == "\x00" or "\ud800" <= char <= "\udfff"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens ending with an ``EOF`` token.

    Raises ``QuerySyntaxError`` for text that is too long, an unclosed string or quoted
    key, a malformed number or a character that starts no token.
    """
    check_text(text)
    return _Lexer(text).run()
