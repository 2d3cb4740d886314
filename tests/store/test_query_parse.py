"""The job query language's parser: every form, precedence, and errors a person can act on."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from atlas.errors import QuerySyntaxError
from atlas.store.query import MAX_DEPTH, MAX_SORT_KEYS, parse_filter, parse_sort
from atlas.store.query.lexer import MAX_QUERY_LENGTH
from atlas.store.query.nodes import (
    And,
    Compare,
    Contains,
    Exists,
    Expr,
    Field,
    FieldKind,
    InList,
    Matches,
    Not,
    Or,
    SortKey,
    Value,
    ValueKind,
)


def parsed(text: str) -> Expr:
    expr = parse_filter(text)
    assert expr is not None
    return expr


def syntax_error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_filter(text)
    return caught.value


def param(name: str, position: int = 0) -> Field:
    return Field(FieldKind.PARAM, name, None, position)


def number(data: float | int, position: int) -> Value:
    return Value(ValueKind.NUMBER, data, position)


def string(data: str, position: int) -> Value:
    return Value(ValueKind.STRING, data, position)


# -- forms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_filter_is_none(text: str) -> None:
    assert parse_filter(text) is None


def test_comparison_carries_field_operator_value_and_positions() -> None:
    assert parsed("params.lr < 0.01") == Compare(param("lr"), "<", number(0.01, 12), 0)


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("=", "="),
        ("==", "="),
        ("!=", "!="),
        ("<>", "!="),
        ("<", "<"),
        ("<=", "<="),
        (">", ">"),
        (">=", ">="),
    ],
)
def test_every_comparison_operator(text: str, op: str) -> None:
    expr = parsed(f"params.x {text} 1")
    assert isinstance(expr, Compare)
    assert expr.op == op


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.01", 0.01),
        ("1e-3", 0.001),
        ("-2", -2),
        ("+3", 3),
        (".5", 0.5),
        ("10", 10),
        ("2.", 2.0),
        ("1E+2", 100.0),
    ],
)
def test_number_literals(text: str, value: float) -> None:
    expr = parsed(f"params.x = {text}")
    assert isinstance(expr, Compare)
    assert expr.value == number(value, 11)
    assert type(expr.value.data) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"adam"', "adam"),
        ("'adam'", "adam"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'it\'s'", "it's"),
        (r'"a\\b"', "a\\b"),
        (r'"tab\there"', "tab\there"),
        (r'"^run-\d+$"', r"^run-\d+$"),  # unknown escapes stay as written, for regexes
        ('"naïve ünïcode"', "naïve ünïcode"),
        ('""', ""),
    ],
)
def test_string_literals(text: str, value: str) -> None:
    expr = parsed(f"params.x = {text}")
    assert isinstance(expr, Compare)
    assert expr.value == string(value, 11)


@pytest.mark.parametrize(
    ("text", "kind", "data"),
    [
        ("true", ValueKind.BOOL, True),
        ("FALSE", ValueKind.BOOL, False),
        ("null", ValueKind.NULL, None),
        ("Null", ValueKind.NULL, None),
    ],
)
def test_keyword_literals(text: str, kind: ValueKind, data: object) -> None:
    expr = parsed(f"params.flag = {text}")
    assert isinstance(expr, Compare)
    assert (expr.value.kind, expr.value.data) == (kind, data)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("status", Field(FieldKind.JOB, "status")),
        ("params.lr", Field(FieldKind.PARAM, "lr")),
        ("tags.stage", Field(FieldKind.TAG, "stage")),
        ("metrics.loss", Field(FieldKind.METRIC, "loss", "last")),
        ("metrics.loss.last", Field(FieldKind.METRIC, "loss", "last")),
        ("metrics.loss.min", Field(FieldKind.METRIC, "loss", "min")),
        ("metrics.loss.max", Field(FieldKind.METRIC, "loss", "max")),
        ("metrics.loss.count", Field(FieldKind.METRIC, "loss", "count")),
        ("metrics.loss.last_step", Field(FieldKind.METRIC, "loss", "last_step")),
        ("metrics.val/loss", Field(FieldKind.METRIC, "val/loss", "last")),
        ("params.learning-rate", Field(FieldKind.PARAM, "learning-rate")),
        ("params.2d_kernel", Field(FieldKind.PARAM, "2d_kernel")),
        ("params.`model.layers`", Field(FieldKind.PARAM, "model.layers")),
        ("params.`a b,c`", Field(FieldKind.PARAM, "a b,c")),
        ("metrics.`val.loss`.min", Field(FieldKind.METRIC, "val.loss", "min")),
        ("metrics.`min`", Field(FieldKind.METRIC, "min", "last")),
    ],
)
def test_fields(text: str, field: Field) -> None:
    expr = parsed(f"{text} exists")
    assert isinstance(expr, Exists)
    assert expr.field == Field(field.kind, field.name, field.agg, 0)


def test_backtick_escape_inside_quoted_key() -> None:
    expr = parsed(r"tags.`it\`s` exists")
    assert isinstance(expr, Exists)
    assert expr.field.name == "it`s"


@pytest.mark.parametrize(
    "name",
    [
        "id",
        "name",
        "status",
        "user",
        "kind",
        "command",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "exit_code",
        "priority",
    ],
)
def test_every_job_field_exists(name: str) -> None:
    assert parsed(f"{name} exists") == Exists(Field(FieldKind.JOB, name, None, 0), 0)


def test_in_list_and_not_in() -> None:
    assert parsed('params.opt in ("adam", 3, null)') == InList(
        param("opt"),
        (string("adam", 15), number(3, 23), Value(ValueKind.NULL, None, 26)),
        False,
        0,
    )
    expr = parsed('status NOT IN ("running", "queued")')
    assert isinstance(expr, InList)
    assert expr.negated
    assert [value.data for value in expr.values] == ["running", "queued"]


def test_contains_matches_and_their_negations() -> None:
    name = Field(FieldKind.JOB, "name", None, 0)
    assert parsed('name contains "Debug"') == Contains(name, "Debug", 0)
    assert parsed('name ~ "^res"') == Matches(name, "^res", 0)
    assert parsed('name MATCHES "^res"') == Matches(name, "^res", 0)
    assert parsed('name not contains "x"') == Not(Contains(name, "x", 0), 0)
    assert parsed('name not matches "x"') == Not(Matches(name, "x", 0), 0)
    assert parsed('name not ~ "x"') == Not(Matches(name, "x", 0), 0)
    assert parsed('name !~ "x"') == Not(Matches(name, "x", 0), 0)


def test_exists_forms() -> None:
    assert parsed("tags.stage exists") == Exists(Field(FieldKind.TAG, "stage", None, 0), 0)
    stage = Field(FieldKind.TAG, "stage", None, 4)
    assert parsed("not tags.stage exists") == Not(Exists(stage, 4), 0)
    stage = Field(FieldKind.TAG, "stage", None, 0)
    assert parsed("tags.stage not exists") == Not(Exists(stage, 0), 0)


def test_times_become_utc_datetimes() -> None:
    cases = {
        '"2026-11-01"': datetime(2026, 11, 1, tzinfo=UTC),
        '"2026-11-01T14:30:00Z"': datetime(2026, 11, 1, 14, 30, tzinfo=UTC),
        '"2026-11-01 14:30"': datetime(2026, 11, 1, 14, 30, tzinfo=UTC),
        '"2026-11-01T16:30:00+02:00"': datetime(2026, 11, 1, 14, 30, tzinfo=UTC),
    }
    for text, moment in cases.items():
        expr = parsed(f"created_at >= {text}")
        assert isinstance(expr, Compare)
        assert expr.value == Value(ValueKind.TIME, moment, 14)


def test_status_and_kind_are_case_insensitive_and_normalised() -> None:
    expr = parsed('status = "Running" or kind = "SWEEP-TRIAL"')
    assert isinstance(expr, Or)
    assert [item.value.data for item in expr.items if isinstance(item, Compare)] == [
        "running",
        "sweep-trial",
    ]


# -- precedence and grouping -----------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    expr = parsed("params.a = 1 or params.b = 2 and params.c = 3")
    assert isinstance(expr, Or)
    assert isinstance(expr.items[0], Compare)
    assert isinstance(expr.items[1], And)


def test_not_binds_tighter_than_and() -> None:
    expr = parsed("not params.a = 1 and params.b = 2")
    assert isinstance(expr, And)
    assert isinstance(expr.items[0], Not)


def test_parentheses_override_precedence() -> None:
    expr = parsed("(params.a = 1 or params.b = 2) and params.c = 3")
    assert isinstance(expr, And)
    assert isinstance(expr.items[0], Or)
    negated = parsed("not (params.a = 1 or params.b = 2)")
    assert isinstance(negated, Not)
    assert isinstance(negated.item, Or)


def test_chains_are_flat() -> None:
    expr = parsed(" or ".join(f"params.p{i} = {i}" for i in range(50)))
    assert isinstance(expr, Or)
    assert len(expr.items) == 50


def test_keywords_are_case_insensitive() -> None:
    lower = parsed('not params.a = 1 and params.b in (1) or name contains "x"')
    upper = parsed('NOT params.a = 1 AND params.b IN (1) OR name CONTAINS "x"')
    assert lower == upper


def test_the_documented_examples_parse() -> None:
    examples = [
        'params.lr < 0.01 and (tags.stage = "prod" or metrics.loss.min < 0.2)',
        'status in ("running", "queued") and not name contains "debug"',
        'user = "ana" and name ~ "^resnet-[0-9]+$" and created_at > "2026-11-01"',
        "params.`model.layers` = 3",
    ]
    for text in examples:
        assert parse_filter(text) is not None


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("params.lr < ", "expected a value after '<'", 12),
        ("stauts = 'x'", "unknown job field 'stauts'; did you mean 'status'?", 0),
        ("metrics.loss.avg > 1", "unknown metric aggregate 'avg' (use last, min, max", 13),
        ('name = "abc', "unclosed string", 7),
        ("(params.a = 1", "unbalanced parenthesis: '(' is never closed", 0),
        ("params.a = 1)", "unbalanced parenthesis: ')' has no matching '('", 12),
        ('name ~ "(unclosed"', "invalid regex: missing ): (unclosed", 7),
        ('status = "runing"', "unknown status 'runing' (use queued, starting, running", 9),
        ("status = running", 'quote text: "running"', 9),
        ("params.a = params.b", "comparing two fields is not supported", 11),
        ("params.a = 1 params.b = 2", "expected 'and', 'or' or the end of the query", 13),
        ("params.a 1", "expected an operator after 'params.a'", 9),
        ("params.a = 1 and", "expected a field, found the end of the query", 16),
        ("params. = 1", "expected a key after '.'", 7),
        ("params = 1", "expected a key after 'params' (e.g. params.lr)", 6),
        ("param.lr = 1", "unknown field group 'param' (use params, tags or metrics)", 0),
        ("status.x = 1", "job field 'status' has no parts after '.'", 6),
        ("params.a = 1.2.3", "invalid number '1.2.'", 11),
        ("params.a = 3x", "invalid number '3x'", 11),
        ("params.a = 1e999", "number 1e999 is out of range", 11),
        ("params.a ! 1", "unexpected character '!'; did you mean '!='?", 9),
        ("params.a = 1 & params.b = 2", "unexpected character '&'", 13),
        ("params.`a = 1", "unclosed quoted key", 7),
        ("params.`` = 1", "empty quoted key", 7),
        ("tags.stage = 3", 'tags hold text; quote the value: tags.stage = "3"', 13),
        ('metrics.loss < "low"', "metrics are numbers", 15),
        ('duration > "1h"', "duration is a number of seconds", 11),
        ("name = 3", 'name is text; quote the value: name = "3"', 7),
        ("created_at > 2026", "expected a time for created_at", 13),
        ('created_at > "yesterday"', "invalid time 'yesterday'", 13),
        ("params.a < null", "null only compares with = and != (not <)", 11),
        ("params.flag > true", "true only compares with = and != (not >)", 14),
        ('status < "running"', "status compares only with =, != and in", 9),
        ('metrics.loss contains "x"', "'contains' needs a text field, and metrics.loss.last", 0),
        ('created_at ~ "2026"', "'~' needs a text field, and created_at is a time", 0),
        ("name contains 3", "expected a quoted string after 'contains'", 14),
        ("params.a in 1", "expected '(' after 'in'", 12),
        ("params.a in (1 2)", "expected ',' or ')' in the list", 15),
        ("params.a in ()", "expected a value after '('", 13),
        ("params.a in (1,", "expected a value after ','", 15),
        ("params.a in (1", "unbalanced parenthesis: '(' is never closed", 12),
        ("params.a not = 1", "expected in, contains, matches or exists after 'not'", 13),
        ("()", "empty parentheses", 1),
        ("and", "expected a field, found 'and'", 0),
        (")", "unbalanced parenthesis: ')' has no matching '('", 0),
        ('name ~ "(?P<n>x)"', "named groups (?P<name>...) are not supported", 7),
        ('name ~ "(?<n>x)"', "named groups (?<name>...) are not supported", 7),
        ('name ~ "(?>ab)c"', "atomic groups (?>...) are not supported", 7),
        ('name ~ "(?i:ab)c"', "flags are not supported, except one (?i) at the start", 7),
        ('name ~ "a(?i)b"', "flags are not supported, except one (?i) at the start", 7),
        ('name ~ "(?s)x"', "flags are not supported, except one (?i) at the start", 7),
        ('name ~ "a++"', "invalid regex: bad repetition operator: ++", 7),
        ('name ~ "(?=a)b"', "lookarounds", 7),
        ('name ~ "(?<!a)b"', "lookarounds", 7),
        ('name ~ "(a)\\1"', "backreferences (\\1) are not supported", 7),
        ('name ~ "\\bx"', "word boundaries (\\b) are not supported", 7),
        ('name ~ "[\\D]"', "\\D inside [...] is not supported", 7),
        ('name ~ "a{256}"', "repeat count above 255 in {256}", 7),
        ('name ~ "a{x"', "a literal '{' must be escaped", 7),
        ('name ~ "[[:alpha:]]"', "POSIX classes", 7),
        (f'name ~ "{"a" * 1001}"', "pattern too long (1,001 characters; at most 1,000)", 7),
        ("metrics.loss.avg > 1", "unknown metric aggregate 'avg'", 13),
        ("params.a = NaN", "NaN and infinity are not values a filter takes", 11),
        ("params.a = " + "9" * 4301, "out of range", 11),
        ("params.a = -", "expected a value after '='", 11),
    ],
)
def test_errors_point_at_the_offending_character(text: str, message: str, position: int) -> None:
    error = syntax_error(text)
    assert message in error.message
    assert error.detail == {"query": text, "position": position}
    assert error.code == "invalid_query"
    caret_line = error.message.splitlines()[-1]
    assert caret_line == " " * position + "^"


@pytest.mark.parametrize(
    ("written", "pattern"),
    [
        (r"^run-\\d+$", r"^run-\d+$"),
        (r"^run-\d+$", r"^run-\d+$"),
        (r"a\\++", r"a\++"),
        ("[+]+", "[+]+"),
        ("(?:ab)+", "(?:ab)+"),
        ("(?i)resnet", "(?i)resnet"),
        ("a{2,255}", "a{2,255}"),
        (r"\\w+\\s\\d\\.", r"\w+\s\d\."),
        ("[]a-c^]", "[]a-c^]"),
        ("(a+)+$", "(a+)+$"),
    ],
)
def test_portable_regexes_are_accepted(written: str, pattern: str) -> None:
    assert parsed(f'name ~ "{written}"') == Matches(Field(FieldKind.JOB, "name"), pattern, 0)


def test_a_key_longer_than_the_column_is_refused() -> None:
    error = syntax_error(f"params.{'k' * 251} = 1")
    assert "key longer than 250 characters" in error.message
    assert error.detail["position"] == 7


def test_a_query_over_the_length_limit_is_refused_without_echoing_it() -> None:
    text = "params.a = 1 or " * (MAX_QUERY_LENGTH // 16) + "params.b = 2"
    error = syntax_error(text)
    assert "query too long" in error.message
    assert error.detail["position"] == MAX_QUERY_LENGTH
    assert len(error.message) < 200


@pytest.mark.parametrize("opening", ["(", "not "])
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(opening: str) -> None:
    text = opening * 2000 + "params.a = 1" + (")" * 2000 if opening == "(" else "")
    error = syntax_error(text)
    assert "nested too deeply" in error.message
    assert error.detail["position"] == MAX_DEPTH * len(opening)


def test_nesting_up_to_the_limit_parses() -> None:
    text = "(" * MAX_DEPTH + "params.a = 1" + ")" * MAX_DEPTH
    assert parsed(text) == Compare(param("a", MAX_DEPTH), "=", number(1, MAX_DEPTH + 11), MAX_DEPTH)


@pytest.mark.parametrize(("char", "position"), [("\x00", 12), ("\ud800", 12)])
def test_characters_no_database_can_store_are_refused(char: str, position: int) -> None:
    error = syntax_error(f'params.a = "{char}"')
    assert "is not allowed" in error.message
    assert error.detail["position"] == position
    error.message.encode("utf-8")  # the error itself can be sent as JSON


_FUZZ_PIECES = [
    "params.lr", "tags.stage", "metrics.loss.min", "metrics.`a.b`", "status", "name",
    "created_at", "duration", "and", "or", "not", "in", "contains", "matches", "exists",
    "=", "!=", "<", ">=", "~", "!~", "(", ")", ",", '"x"', "'y", '"running"', "0.5", "-1",
    "1e3", "true", "null", "`", ".", "-", "!", "&", " ", '"2026-11-01"', "\\", "é", "\x00",
]  # fmt: skip


_VALID = [
    'params.lr < 0.01 and (tags.stage = "prod" or metrics.loss.min < 0.2)',
    'status in ("running", "queued") and not name contains "debug"',
    'user = "ana" and name ~ "^resnet-[0-9]+$" and created_at > "2026-11-01"',
    "params.`model.layers` = 3 or not (duration >= 60 and exit_code != 0)",
]


def _fuzz_case(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return "".join(chr(rng.randrange(0x20, 0x250)) for _ in range(rng.randrange(30)))
    if roll < 0.6:
        pieces = rng.choices(_FUZZ_PIECES, k=rng.randrange(1, 12))
        return " ".join(pieces) if rng.random() < 0.7 else "".join(pieces)
    chars = list(rng.choice(_VALID))
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(chars))
        action = rng.randrange(3)
        if action == 0:
            del chars[at]
        elif action == 1:
            chars.insert(at, rng.choice("()\"'`.,=<>!~- axz019"))
        else:
            chars[at] = " "
    return "".join(chars)


def test_fuzzed_input_only_ever_raises_query_syntax_errors() -> None:
    rng = random.Random(20261125)
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(4000):
        text = _fuzz_case(rng)
        try:
            parse_filter(text)
            outcomes["parsed"] += 1
        except QuerySyntaxError as error:
            position = error.detail["position"]
            assert isinstance(position, int)
            assert 0 <= position <= len(text)
            outcomes["refused"] += 1
    assert outcomes["parsed"] > 200  # the fuzzing reaches valid queries too
    assert outcomes["refused"] > 2000


# -- sort ------------------------------------------------------------------------------------


def test_sort_fields_with_direction_and_positions() -> None:
    assert parse_sort("-metrics.loss.min, created_at,+params.`a,b`") == [
        SortKey(Field(FieldKind.METRIC, "loss", "min", 1), True, 0),
        SortKey(Field(FieldKind.JOB, "created_at", None, 19), False, 19),
        SortKey(Field(FieldKind.PARAM, "a,b", None, 31), False, 30),
    ]


def test_sort_accepts_a_list_and_nothing() -> None:
    assert parse_sort(["-duration", "name"]) == parse_sort("-duration,name")
    assert parse_sort([]) == []
    assert parse_sort("") == []


def test_sort_names_a_field_once() -> None:
    keys = parse_sort("-tags.stage,tags.stage,metrics.loss,metrics.loss.last")
    assert [(key.field.label, key.descending) for key in keys] == [
        ("tags.stage", True),
        ("metrics.loss.last", False),
    ]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("-", "expected a field to sort by", 1),
        ("name,,id", "expected a field to sort by", 5),
        ("name,", "expected a field to sort by", 5),
        ("nmae", "unknown job field 'nmae'; did you mean 'name'?", 0),
        ("name id", "expected ',' between sort fields, found 'id'", 5),
        ("metrics.loss.mean", "unknown metric aggregate 'mean'", 13),
        ("-2", "expected a field, found '-2'", 0),
        ("name desc", "expected ',' between sort fields, found 'desc'", 5),
    ],
)
def test_sort_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_sort(text)
    assert message in caught.value.message
    assert caught.value.detail["position"] == position


def test_too_many_sort_fields() -> None:
    fields = [f"params.p{i}" for i in range(MAX_SORT_KEYS + 1)]
    with pytest.raises(QuerySyntaxError, match="too many sort fields"):
        parse_sort(fields)
    assert len(parse_sort(fields[:-1])) == MAX_SORT_KEYS
