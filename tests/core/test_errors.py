"""The error tree: stable codes that the SDK maps back to the same classes."""

from __future__ import annotations

import pytest

from atlas import errors
from atlas.errors import AtlasError, QuerySyntaxError, error_class_for_code


def _classes() -> list[type[AtlasError]]:
    return [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, AtlasError)
    ]


def test_codes_are_unique_and_round_trip() -> None:
    classes = _classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert error_class_for_code(cls.code) is cls


def test_unknown_code_maps_to_root() -> None:
    assert error_class_for_code("no-such-code") is AtlasError


def test_query_error_points_at_position() -> None:
    err = QuerySyntaxError.at("expected a value", query="params.lr < ", position=12)
    assert err.detail == {"query": "params.lr < ", "position": 12}
    assert err.message.endswith("params.lr < \n            ^")


@pytest.mark.parametrize("cls", _classes())
def test_every_error_takes_message_and_detail(cls: type[AtlasError]) -> None:
    err = cls("something went wrong", detail={"x": 1})
    assert err.message == "something went wrong"
    assert err.detail == {"x": 1}


def test_public_names_are_sorted() -> None:
    assert errors.__all__ == sorted(errors.__all__)
