"""The recursive-descent parser of job filters and sort fields (pure Python, no SQL).

Grammar (keywords are case-insensitive; ``not`` binds tighter than ``and``, which binds
tighter than ``or``)::

    filter    := or_expr
    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | "(" or_expr ")" | predicate
    predicate := FIELD ( CMP value
                       | ["not"] "in" "(" value ("," value)* ")"
                       | ["not"] "contains" STRING
                       | ["not"] ("matches" | "~") STRING | "!~" STRING
                       | ["not"] "exists" )
    value     := NUMBER | STRING | "true" | "false" | "null"
    sort      := [("-" | "+")] FIELD ("," [("-" | "+")] FIELD)*

Every error is a ``QuerySyntaxError`` whose ``detail.position`` points at the offending
character; nesting deeper than ``MAX_DEPTH`` is an error too, never a ``RecursionError``.
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas.errors import QuerySyntaxError
from atlas.store.query.fields import check_text_field, check_value, resolve_field
from atlas.store.query.lexer import Token, TokenKind, tokenize
from atlas.store.query.nodes import (
    And,
    Compare,
    Contains,
    Exists,
    Expr,
    Field,
    InList,
    Matches,
    Not,
    Or,
    SortKey,
    Value,
    ValueKind,
)
from atlas.store.query.regex import UnportableRegexError, check_pattern

__all__ = ["MAX_DEPTH", "MAX_SORT_KEYS", "parse_filter", "parse_sort"]

MAX_DEPTH = 32
"""Deepest nesting of parentheses and ``not`` a filter may use."""

MAX_SORT_KEYS = 8
"""Most fields a listing may sort by (each may cost a join)."""

_COMPARE_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<="}
_COMPARE_OPS |= {">": ">", ">=": ">="}
_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "contains", "matches", "exists", "true", "false", "null"}
)
_LITERALS: dict[str, Value] = {
    "true": Value(ValueKind.BOOL, True),
    "false": Value(ValueKind.BOOL, False),
    "null": Value(ValueKind.NULL, None),
}
_OPERATOR_LIST = "=, !=, <, <=, >, >=, in, contains, ~, exists"


def _describe(token: Token) -> str:
    return "the end of the query" if token.kind is TokenKind.EOF else repr(token.text)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # -- token stream ------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.EOF:
            self.index += 1
        return token

    def fail(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError.at(message, query=self.text, position=position)

    def at_keyword(self, word: str) -> bool:
        return self.peek().keyword() == word

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"filter nested too deeply (more than {MAX_DEPTH} levels)", token.position
            )

    # -- expressions -------------------------------------------------------------------------
    def filter(self) -> Expr:
        expr = self.or_expr()
        token = self.peek()
        if token.kind is TokenKind.RPAREN:
            raise self.fail("unbalanced parenthesis: ')' has no matching '('", token.position)
        if token.kind is not TokenKind.EOF:
            raise self.fail(
                f"expected 'and', 'or' or the end of the query, found {_describe(token)}",
                token.position,
            )
        return expr

    def or_expr(self) -> Expr:
        items = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items), items[0].position)

    def and_expr(self) -> Expr:
        items = [self.not_expr()]
        while self.at_keyword("and"):
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items), items[0].position)

    def not_expr(self) -> Expr:
        token = self.peek()
        if token.keyword() == "not":
            self.advance()
            self.enter(token)
            item = self.not_expr()
            self.depth -= 1
            return Not(item, token.position)
        if token.kind is TokenKind.LPAREN:
            return self.group()
        return self.predicate()

    def group(self) -> Expr:
        opening = self.advance()
        self.enter(opening)
        if self.peek().kind is TokenKind.RPAREN:
            raise self.fail("empty parentheses", self.peek().position)
        expr = self.or_expr()
        closing = self.peek()
        if closing.kind is TokenKind.EOF:
            raise self.fail("unbalanced parenthesis: '(' is never closed", opening.position)
        if closing.kind is not TokenKind.RPAREN:
            raise self.fail(
                f"expected 'and', 'or' or ')', found {_describe(closing)}", closing.position
            )
        self.advance()
        self.depth -= 1
        return expr

    # -- predicates --------------------------------------------------------------------------
    def field(self) -> Field:
        token = self.peek()
        if token.kind is TokenKind.PATH and token.keyword() not in _KEYWORDS:
            self.advance()
            return resolve_field(token, self.text)
        if token.kind is TokenKind.RPAREN:
            raise self.fail("unbalanced parenthesis: ')' has no matching '('", token.position)
        raise self.fail(f"expected a field, found {_describe(token)}", token.position)

    def predicate(self) -> Expr:
        field_token = self.peek()
        field = self.field()
        negated = self.at_keyword("not")
        if negated:
            self.advance()
        token = self.peek()
        word = token.keyword()
        if token.kind is TokenKind.OP and token.text in ("~", "!~"):
            return self.matches(field, negated ^ (token.text == "!~"))
        if word in ("in", "contains", "matches", "exists"):
            return self.postfix(word, field, negated)
        if negated:
            raise self.fail("expected in, contains, matches or exists after 'not'", token.position)
        if token.kind is TokenKind.OP:
            return self.compare(field)
        raise self.fail(
            f"expected an operator after {field_token.text!r} ({_OPERATOR_LIST}), "
            f"found {_describe(token)}",
            token.position,
        )

    def postfix(self, word: str | None, field: Field, negated: bool) -> Expr:
        if word == "in":
            return self.in_list(field, negated)
        if word == "matches":
            return self.matches(field, negated)
        self.advance()
        expr: Expr
        if word == "contains":
            check_text_field(field, "contains", self.text)
            expr = Contains(field, self.string_after("contains"), field.position)
        else:
            expr = Exists(field, field.position)
        return Not(expr, field.position) if negated else expr

    def compare(self, field: Field) -> Compare:
        operator = self.advance()
        op = _COMPARE_OPS.get(operator.text)
        if op is None:
            raise self.fail(f"unexpected operator {operator.text!r}", operator.position)
        value, source = self.value(after=operator.text)
        typed = check_value(field, op, value, source, self.text)
        return Compare(field, op, typed, field.position)

    def in_list(self, field: Field, negated: bool) -> InList:
        self.advance()
        opening = self.peek()
        if opening.kind is not TokenKind.LPAREN:
            raise self.fail(
                f"expected '(' after 'in', found {_describe(opening)}", opening.position
            )
        self.advance()
        values: list[Value] = []
        after = "("
        while True:
            value, source = self.value(after=after)
            values.append(check_value(field, "in", value, source, self.text))
            token = self.advance()
            if token.kind is TokenKind.RPAREN:
                return InList(field, tuple(values), negated, field.position)
            if token.kind is TokenKind.EOF:
                raise self.fail("unbalanced parenthesis: '(' is never closed", opening.position)
            if token.kind is not TokenKind.COMMA:
                raise self.fail(
                    f"expected ',' or ')' in the list, found {_describe(token)}", token.position
                )
            after = ","

    def matches(self, field: Field, negated: bool) -> Expr:
        operator = self.advance()
        check_text_field(field, operator.text.lower(), self.text)
        position = self.peek().position
        pattern = self.string_after(operator.text)
        _check_regex(pattern, self.text, position)
        expr = Matches(field, pattern, field.position)
        return Not(expr, field.position) if negated else expr

    def string_after(self, after: str) -> str:
        token = self.advance()
        if token.kind is not TokenKind.STRING:
            raise self.fail(f"expected a quoted string after {after!r}", token.position)
        return str(token.value)

    def value(self, *, after: str) -> tuple[Value, str]:
        token = self.peek()
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return Value(ValueKind.NUMBER, token.value, token.position), token.text
        if token.kind is TokenKind.STRING:
            self.advance()
            return Value(ValueKind.STRING, token.value, token.position), token.text
        word = token.keyword()
        if word in _LITERALS:
            self.advance()
            literal = _LITERALS[word]
            return Value(literal.kind, literal.data, token.position), word
        if token.kind is TokenKind.PATH:
            raise self.fail(_bare_word_message(token, after), token.position)
        raise self.fail(f"expected a value after {after!r}", token.position)


def _bare_word_message(token: Token, after: str) -> str:
    first = token.segments[0].text
    if token.keyword() in ("nan", "inf", "infinity"):
        return f"expected a value after {after!r}; NaN and infinity are not values a filter takes"
    if len(token.segments) > 1 and first in ("params", "tags", "metrics"):
        return f"expected a value after {after!r}; comparing two fields is not supported"
    return f'expected a value after {after!r}; quote text: "{token.text}"'


def _check_regex(pattern: str, query: str, position: int) -> None:
    # One rule set for both databases, owned by ``regex``: RE2 on SQLite, ``~`` on PostgreSQL.
    try:
        check_pattern(pattern)
    except UnportableRegexError as error:
        raise QuerySyntaxError.at(
            f"invalid regex: {error}", query=query, position=position
        ) from None


def parse_filter(text: str) -> Expr | None:
    """Parse a filter expression; ``None`` when ``text`` is empty or blank.

    Raises ``QuerySyntaxError`` (with ``detail.position``) for anything malformed, an
    unknown field, a value of the wrong type, an invalid regex or text over 10,000 characters.
    """
    if not text.strip():
        return None
    return _Parser(text).filter()


def parse_sort(text_or_fields: str | Sequence[str]) -> list[SortKey]:
    """Parse sort fields: ``"-metrics.loss.min,created_at"`` or ``["-metrics.loss.min", ...]``.

    A leading ``-`` sorts descending. A field named twice counts once (the first wins).
    Returns ``[]`` for no fields. Raises ``QuerySyntaxError``; positions refer to the fields
    joined by commas.
    """
    text = text_or_fields if isinstance(text_or_fields, str) else ",".join(text_or_fields)
    if not text.strip():
        return []
    parser = _Parser(text)
    keys: list[SortKey] = []
    seen: set[Field] = set()
    while True:
        start = parser.peek()
        descending = start.kind is TokenKind.SIGN and start.text == "-"
        if start.kind is TokenKind.SIGN:
            parser.advance()
        if parser.peek().kind in (TokenKind.COMMA, TokenKind.EOF):
            raise parser.fail("expected a field to sort by", parser.peek().position)
        field = parser.field()
        bare = Field(field.kind, field.name, field.agg)
        if bare not in seen:
            seen.add(bare)
            keys.append(SortKey(field, descending, start.position))
        if len(keys) > MAX_SORT_KEYS:
            raise parser.fail(f"too many sort fields (at most {MAX_SORT_KEYS})", start.position)
        token = parser.advance()
        if token.kind is TokenKind.EOF:
            return keys
        if token.kind is not TokenKind.COMMA:
            raise parser.fail(
                f"expected ',' between sort fields, found {_describe(token)}", token.position
            )
