"""Ignore files with git's pattern rules: ``.gitignore`` and ``.atlasignore``.

The rules are those of ``gitignore(5)``: blank lines and ``#`` comments are skipped, ``!``
re-includes, a trailing ``/`` matches folders only, a pattern with a ``/`` at its start or in
its middle is anchored to the folder of its ignore file (otherwise it matches a name at any
depth below it), ``*`` and ``?`` never match ``/``, ``**`` matches any number of folders, and
``[...]`` is a character class. The last matching rule wins, rules of a deeper ignore file win
over those above it, and a file inside an ignored folder stays ignored (git never looks into
that folder, so ``!`` cannot bring the file back).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IgnoreRule", "IgnoreRules", "parse_ignore_file"]


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One pattern of an ignore file, compiled.

    ``base`` is the ``/``-separated folder of the ignore file relative to the snapshot root
    (``""`` for the root itself).
    """

    base: str
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool

    def matches(self, path: str, *, is_dir: bool) -> bool:
        """Whether the rule applies to ``path`` (relative to the root, ``/``-separated)."""
        if self.folders_only and not is_dir:
            return False
        if self.base:
            if not path.startswith(self.base + "/"):
                return False
            path = path[len(self.base) + 1 :]
        return self.regex.fullmatch(path) is not None


def _unescape_trailing(line: str) -> str:
    """The pattern with unescaped trailing spaces removed (``"a\\ "`` keeps its space)."""
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "
    return stripped


def _class(pattern: str, start: int) -> tuple[str, int]:
    """The regex for a ``[...]`` class starting at ``start``, and the index after it."""
    end = start + 1
    if end < len(pattern) and pattern[end] in "!^":
        end += 1
    if end < len(pattern) and pattern[end] == "]":
        end += 1
    while end < len(pattern) and pattern[end] != "]":
        end += 1
    if end >= len(pattern):
        return re.escape("["), start + 1  # an unclosed "[" is a literal
    body = pattern[start + 1 : end]
    if body[:1] in ("!", "^"):
        body = "^" + body[1:]
    return "[" + body.replace("\\", "\\\\") + "]", end + 1


def _translate(pattern: str) -> str:
    """A regex for a gitignore glob (anchored by the caller)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            regex, i = _class(pattern, i)
            out.append(regex)
        elif char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _rule(line: str, base: str) -> IgnoreRule | None:
    if not line.strip() or line.startswith("#"):
        return None
    pattern = _unescape_trailing(line)
    negated = pattern.startswith("!")
    if negated or pattern.startswith(("\\!", "\\#")):
        pattern = pattern[1:]
    folders_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return None
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    regex = _translate(pattern)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return IgnoreRule(base, re.compile(regex, re.DOTALL), negated, folders_only)


def parse_ignore_file(text: str, base: str = "") -> list[IgnoreRule]:
    """The rules of an ignore file's ``text`` found in the folder ``base`` (relative to the
    snapshot root, ``""`` for the root)."""
    rules = (_rule(line, base) for line in text.splitlines())
    return [rule for rule in rules if rule is not None]


class IgnoreRules:
    """Every ignore file of a folder tree, read as the tree is walked top-down.

    ``names`` are the ignore files to read in each folder, lowest precedence first
    (``(".gitignore", ".atlasignore")``: ``.atlasignore`` wins within a folder).
    """

    def __init__(self, root: Path, names: Sequence[str]) -> None:
        self._root = root
        self._names = tuple(names)
        self._rules: list[IgnoreRule] = []
        self._loaded: set[str] = set()

    def load(self, folder: str) -> None:
        """Read the ignore files of ``folder`` (relative, ``""`` for the root) once; call it
        for a folder before asking about anything inside it."""
        if folder in self._loaded:
            return
        self._loaded.add(folder)
        for name in self._names:
            path = self._root / folder / name if folder else self._root / name
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            self._rules.extend(parse_ignore_file(text, folder))

    def ignored(self, path: str, *, is_dir: bool) -> bool:
        """Whether ``path`` itself is ignored by the rules loaded so far (its folders are
        not looked at: see :meth:`excluded`)."""
        verdict = False
        for rule in self._rules:
            if rule.negated == verdict and rule.matches(path, is_dir=is_dir):
                verdict = not rule.negated
        return verdict

    def excluded(self, path: str) -> bool:
        """Whether the file ``path`` is left out: it or one of its folders is ignored.
        Loads the ignore files of its folders as needed."""
        parts = path.split("/")
        folder = ""
        self.load("")
        for part in parts[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if self.ignored(folder, is_dir=True):
                return True
            self.load(folder)
        return self.ignored(path, is_dir=False)
