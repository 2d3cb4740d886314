"""atlas.names: every naming rule and limit, and the docs that quote them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas import names
from atlas.errors import InvalidInputError

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_docs_quote_the_limits_the_code_enforces() -> None:
    api = (DOCS / "rest-api.md").read_text()
    row = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", api, flags=re.M))
    assert row["param, tag and metric keys"].startswith(
        f"1\N{EN DASH}{names.MAX_KEY_LENGTH} characters"
    )
    assert row["tag value"] == f"a string of at most {names.MAX_TAG_VALUE_LENGTH} characters"
    assert row["project name"].startswith(f"1\N{EN DASH}{names.MAX_PROJECT_NAME_LENGTH} characters")
    param = re.search(r"at most ([\d,]+) characters as JSON", row["param value"])
    assert param is not None
    assert _number(param[1]) == names.MAX_PARAM_JSON_LENGTH
    path = re.search(r"at most ([\d,]+) characters, each name at most (\d+)", row["artifact path"])
    assert path is not None
    assert _number(path[1]) == names.MAX_ARTIFACT_PATH_LENGTH
    assert int(path[2]) == names.MAX_PATH_PART_BYTES
    job = row["job `name` / `user` / `command`"]
    assert job.startswith(f"{names.MAX_JOB_NAME_LENGTH} / ")
    sdk = (DOCS / "sdk.md").read_text()
    tag_limits = {int(n) for n in re.findall(r"at most (\d+)\s+characters \(tags", sdk)}
    assert tag_limits == {names.MAX_TAG_VALUE_LENGTH}


@pytest.mark.parametrize("key", ["loss", "val/loss", "a" * names.MAX_KEY_LENGTH, "é✓"])
def test_good_keys(key: str) -> None:
    assert names.check_key(key, "metric") == key
    assert names.is_key(key)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "1 to 250 characters"),
        ("a" * (names.MAX_KEY_LENGTH + 1), "1 to 250 characters"),
        ("a\nb", "control characters"),
        ("a\x85b", "control characters"),
        ("bad\ud800", "lone surrogates"),
    ],
)
def test_bad_keys_name_the_key_and_the_field(key: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        names.check_key(key, "tag")
    assert caught.value.detail["errors"] == [{"field": "tags", "message": caught.value.message}]
    assert not names.is_key(key)


def test_a_key_that_is_not_a_string() -> None:
    with pytest.raises(InvalidInputError, match="must be a string, not int"):
        names.check_key(3, "param")
    with pytest.raises(TypeError, match="must be a string, not int"):
        names.check_key(3, "param", type_error=True)


def test_tag_values() -> None:
    assert names.check_tag_value("t", "v" * names.MAX_TAG_VALUE_LENGTH)
    with pytest.raises(InvalidInputError, match="at most 500 characters, not 501"):
        names.check_tag_value("t", "v" * 501)
    with pytest.raises(InvalidInputError, match="lone surrogates"):
        names.check_tag_value("t", "\udfff")


def test_param_values() -> None:
    assert names.param_json("p", {"a": [1, 2.5, None]}) == '{"a":[1,2.5,null]}'
    for bad in (float("nan"), "x" * names.MAX_PARAM_JSON_LENGTH, "a\x00", "\ud800", object()):
        with pytest.raises(InvalidInputError, match="param 'p'"):
            names.param_json("p", bad)


@pytest.mark.parametrize("name", ["mnist", "My project-2.0", "_x", "-x", "x" * 200])
def test_good_project_names(name: str) -> None:
    assert names.check_project_name(name) == name


@pytest.mark.parametrize("name", ["", " x", ".x", "a/b", "a\n", "x" * 201, "a\x00"])
def test_bad_project_names(name: str) -> None:
    assert not names.is_project_name(name)
    with pytest.raises(InvalidInputError):
        names.check_project_name(name)


def test_job_names() -> None:
    assert names.check_job_name("") == ""
    assert names.check_job_name("x" * names.MAX_JOB_NAME_LENGTH)
    for bad in ("x" * 501, "a\x00", 3):
        with pytest.raises(InvalidInputError, match="job name"):
            names.check_job_name(bad)


def test_job_ids() -> None:
    assert names.check_job_id("01m8d5hbbp2x0qrn") == "01m8d5hbbp2x0qrn"
    for bad in ("01M8D5HBBP2X0QRN", "01m8d5hbbp2x0qr", "01m8d5hbbp2x0qrn\n", 7):
        assert not names.is_job_id(bad)


@pytest.mark.parametrize("path", ["model.pt", "plots/a b.png", "a/" * 10 + "b"])
def test_good_artifact_paths(path: str) -> None:
    assert names.check_artifact_path(path) == path


@pytest.mark.parametrize(
    "path",
    ["", "/abs", "a/../b", "./a", "a//b", "a/", "a\\b", "a\x01b", "a\x7fb", "a\ud800", "é" * 128],
)
def test_bad_artifact_paths(path: str) -> None:
    assert names.artifact_path_problem(path) is not None
    with pytest.raises(InvalidInputError, match="invalid artifact path"):
        names.check_artifact_path(path)


def test_the_schemas_patterns_agree_with_the_checks() -> None:
    for text in ["mnist", " x", ".x", "x" * 200, "x" * 201, "a-b c.d_e"]:
        matched = re.fullmatch(names.PROJECT_NAME_PATTERN[1:-1], text) is not None
        assert matched == names.is_project_name(text), text
    for text in ["a/b", "", "a\x85", "a" * 250, "a" * 251]:
        assert (re.fullmatch(names.KEY_PATTERN[1:-1], text) is not None) == names.is_key(text)
