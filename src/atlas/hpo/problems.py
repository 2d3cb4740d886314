"""The problems found in a sweep's spec, each with the path of its field, raised together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atlas.errors import InvalidInputError

__all__ = ["Problems"]


class Problems:
    """The problems found so far, each with the path of its field (``space.lr.low``);
    ``raise_any`` raises one ``InvalidInputError`` listing them all in ``detail.errors``."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        """Note a problem of the field at ``path``."""
        self.items.append({"field": path, "message": f"{path}: {message}" if path else message})

    def unknown_keys(self, data: Mapping[str, object], allowed: Sequence[str], path: str) -> None:
        """Note each key of ``data`` (at ``path``) that is not ``allowed``."""
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.add(where, f"unknown key (expected one of: {', '.join(allowed)})")

    def raise_any(self) -> None:
        """Raise the problems found, if any."""
        if not self.items:
            return
        first = self.items[0]["message"]
        more = len(self.items) - 1
        message = f"invalid sweep spec: {first}" + (f" (and {more} more)" if more else "")
        raise InvalidInputError(message, detail={"errors": self.items})
