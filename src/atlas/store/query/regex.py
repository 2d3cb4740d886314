"""Regexes of the job query language: the portable subset, and how each database runs it.

A ``~`` pattern must mean the same on SQLite and PostgreSQL and must never cost more than
linear time on SQLite, so this module owns every regex rule:

- ``check_pattern`` accepts what RE2 (a linear-time engine: no backtracking) compiles, minus
  the forms PostgreSQL reads differently or refuses: backreferences, lookarounds, named
  groups, flags other than one leading ``(?i)``, ``\\b``, ``\\z``, ``\\x..``, ``\\p{..}``,
  ``\\Q..\\E``, a ``[`` inside a set (POSIX classes), repeat counts above
  ``MAX_REPEAT``, an unescaped ``{`` or ``}`` outside a repeat count, patterns longer
  than ``MAX_PATTERN_LENGTH`` and patterns that compile to more than ``MAX_PROGRAM_SIZE``
  RE2 instructions (one search costs up to the value's length times the program's size).
- ``sqlite_regexp`` is SQLite's ``REGEXP`` function, on RE2 (``engine`` registers it on every
  connection); ``.`` matches a newline, as it does on PostgreSQL.
- ``postgres_pattern`` is the pattern as PostgreSQL's ``~`` is given it: ``\\d``, ``\\w`` and
  ``\\s`` spelled as RE2 reads them (ASCII digits, ASCII word characters, ASCII white space),
  since PostgreSQL's own classes follow the locale.

A listing that takes too long anyway is stopped by ``engine.statement_deadline``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import re2

__all__ = [
    "MAX_PATTERN_LENGTH",
    "MAX_PROGRAM_SIZE",
    "MAX_REPEAT",
    "UnportableRegexError",
    "check_pattern",
    "postgres_pattern",
    "sqlite_regexp",
]

MAX_PATTERN_LENGTH = 1_000
"""Longest ``~`` pattern accepted, in characters."""

MAX_REPEAT = 255
"""Largest repeat count in ``{n,m}`` (PostgreSQL's limit)."""

MAX_PROGRAM_SIZE = 2_000
"""Most RE2 instructions a pattern may compile to (``.{255}`` is about 1,800). When RE2's DFA
gives up on a pattern, a search costs the value's length times the program's size: with this
bound, searching the longest value Atlas stores (a 100,000-character command) takes a few
seconds at most, where a 1,000-character pattern could otherwise take a minute."""

_CLASSES = {
    "d": "0-9",
    "w": "0-9A-Za-z_",
    "s": "\\t\\n\\f\\r ",
}
_CHARACTER_ESCAPES = frozenset("ntrfva")
_ESCAPE_HINTS = {
    "b": "word boundaries (\\b) are not supported; use (^|[^A-Za-z0-9_])",
    "B": "\\B is not supported",
    "z": "\\z is not supported; use $",
    "Z": "\\Z is not supported; use $",
    "x": "\\x escapes are not supported; write the character itself",
    "u": "\\u escapes are not supported; write the character itself",
    "U": "\\U escapes are not supported; write the character itself",
    "p": "Unicode classes (\\p{...}) are not supported",
    "P": "Unicode classes (\\P{...}) are not supported",
    "Q": "\\Q...\\E is not supported; escape each character",
    "N": "named characters (\\N{...}) are not supported",
}
_GROUP_HINTS = (
    ("(?=", "lookarounds ((?=...), (?!...), (?<=...), (?<!...)) are not supported"),
    ("(?!", "lookarounds ((?=...), (?!...), (?<=...), (?<!...)) are not supported"),
    ("(?<=", "lookarounds ((?=...), (?!...), (?<=...), (?<!...)) are not supported"),
    ("(?<!", "lookarounds ((?=...), (?!...), (?<=...), (?<!...)) are not supported"),
    ("(?P", "named groups (?P<name>...) are not supported; use (...)"),
    ("(?<", "named groups (?<name>...) are not supported; use (...)"),
    ("(?>", "atomic groups (?>...) are not supported"),
)
_BOUND = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")


class UnportableRegexError(ValueError):
    """A pattern outside the portable subset; ``str()`` says which form and why."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the error is the client's, reported to the client
    options.dot_nl = True  # as PostgreSQL's default
    return options


_OPTIONS = _options()


def check_pattern(pattern: str) -> None:
    """Raise ``UnportableRegexError`` unless ``pattern`` is in the portable subset."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnportableRegexError(
            f"pattern too long ({len(pattern):,} characters; at most {MAX_PATTERN_LENGTH:,})"
        )
    _translate(pattern)
    try:
        size = _compiled(pattern).programsize
    except re2.error as error:
        raise UnportableRegexError(_re2_message(error)) from None
    if size > MAX_PROGRAM_SIZE:
        raise UnportableRegexError(
            f"pattern too complex ({size:,} RE2 instructions; at most {MAX_PROGRAM_SIZE:,}): "
            "use smaller repeat counts or fewer alternatives"
        )


def postgres_pattern(pattern: str) -> str:
    """``pattern`` (already checked) as PostgreSQL's ``~`` must be given it."""
    return _translate(pattern)


def sqlite_regexp(pattern: str, value: str | None) -> bool | None:
    """SQLite's ``value REGEXP pattern``: whether RE2 finds ``pattern`` in ``value``.

    Linear in the length of ``value``; NULL for a NULL value.
    """
    if value is None:
        return None
    return _compiled(pattern).search(value) is not None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re2._Regexp:
    return re2.compile(pattern, _OPTIONS)


def _re2_message(error: re2.error) -> str:
    text = error.args[0] if error.args else str(error)
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if message.startswith("invalid escape sequence: \\") and message[-1:].isdigit():
        return "backreferences (\\1) are not supported"
    return message


def _translate(pattern: str) -> str:
    """Walk ``pattern``: raise for forms outside the subset, return the PostgreSQL spelling."""
    out: list[str] = []
    index, in_set, set_start = 0, False, 0
    anchor = False  # the last atom was ^, $ or \A, which PostgreSQL will not repeat
    while index < len(pattern):
        char = pattern[index]
        if not in_set and char in "*+?{" and anchor:
            raise UnportableRegexError("'^', '$' and '\\A' cannot be repeated")
        anchor = not in_set and (char in "^$" or pattern.startswith("\\A", index))
        if char == "\\":
            if index + 1 >= len(pattern):
                raise UnportableRegexError("a pattern cannot end with '\\'")
            out.append(_escape(pattern[index + 1], in_set))
            index += 2
            continue
        if in_set:
            if char == "[":
                raise UnportableRegexError(
                    "'[' inside [...] must be escaped as '\\[' (POSIX classes such as "
                    "[[:alpha:]] are not supported; use [a-zA-Z])"
                )
            if char == "]" and index > set_start:
                in_set = False
        elif char == "[":
            in_set = True
            set_start = index + 1
            if pattern.startswith("^", set_start):
                set_start += 1
            # A ']' right after '[' or '[^' is a member, not the end of the set.
        elif char == "(":
            _check_group(pattern, index)
        elif char == "{":
            index = _bound(pattern, index, out)
            continue
        elif char == "}":
            raise UnportableRegexError("a literal '}' must be escaped as '\\}'")
        out.append(char)
        index += 1
    return "".join(out)


def _escape(char: str, in_set: bool) -> str:
    if char.lower() in _CLASSES:
        members = _CLASSES[char.lower()]
        if in_set and char.isupper():
            raise UnportableRegexError(
                f"\\{char} inside [...] is not supported; use [^...] with the characters"
            )
        if in_set:
            return members
        return f"[^{members}]" if char.isupper() else f"[{members}]"
    if char in _CHARACTER_ESCAPES or (char == "A" and not in_set):
        return "\\" + char
    if char.isascii() and not char.isalnum():
        return "\\" + char
    if char.isdigit():
        raise UnportableRegexError("backreferences (\\1) are not supported")
    hint = _ESCAPE_HINTS.get(char, f"\\{char} is not supported")
    raise UnportableRegexError(hint)


def _check_group(pattern: str, index: int) -> None:
    if not pattern.startswith("(?", index) or pattern.startswith("(?:", index):
        return
    if index == 0 and pattern.startswith("(?i)"):
        return
    for opening, hint in _GROUP_HINTS:
        if pattern.startswith(opening, index):
            raise UnportableRegexError(hint)
    raise UnportableRegexError(
        "flags are not supported, except one (?i) at the start of the pattern"
    )


def _bound(pattern: str, index: int, out: list[str]) -> int:
    match = _BOUND.match(pattern, index)
    if match is None:
        raise UnportableRegexError("a literal '{' must be escaped as '\\{'")
    counts = [int(match.group(1))]
    if match.group(3):
        counts.append(int(match.group(3)))
    if max(counts) > MAX_REPEAT:
        raise UnportableRegexError(f"repeat count above {MAX_REPEAT} in {match.group()}")
    out.append(match.group())
    return match.end()
