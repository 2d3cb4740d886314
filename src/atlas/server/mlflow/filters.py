"""MLflow's ``search_runs`` filters and ``order_by`` as Atlas's query language.

MLflow's filter is comparisons joined by ``AND``:
``metrics.acc > 0.9 and params.lr = '0.01' and tags.stage = 'prod' and attributes.status =
'FINISHED'``. Each becomes the Atlas comparison of the same field (docs/rest-api.md#filters):
a metric compares its last value, a param's text compares as the number Atlas keeps when it
reads back exactly (``wire.param_value``), ``LIKE``/``ILIKE`` become anchored regular
expressions, ``IN``/``NOT IN`` lists stay lists, and the run attributes map onto job fields
(``status``, ``run_name``, ``run_id``, ``user_id``, ``start_time``, ``end_time``). Anything else
(``OR``, ``datasets.*``) is a ``ValueError`` with a message for the user.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from atlas.server.mlflow.wire import STATUS_OF_RUN, param_value

__all__ = ["atlas_filter", "atlas_sort"]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
    | (?P<op>!=|<>|<=|>=|==|=|<|>|\(|\)|,)
    | (?P<field>[A-Za-z_][\w]*(?:\.(?:`(?:[^`])+`|"(?:[^"])+"|[\w./\-:]+))?)
    )""",
    re.VERBOSE,
)
_ENTITIES = {
    "metric": "metrics",
    "metrics": "metrics",
    "param": "params",
    "params": "params",
    "parameter": "params",
    "parameters": "params",
    "tag": "tags",
    "tags": "tags",
    "attribute": "attributes",
    "attributes": "attributes",
    "attr": "attributes",
    "run": "attributes",
}
_ATTRIBUTES = {
    "status": "status",
    "run_name": "name",
    "run_id": "id",
    "run_uuid": "id",
    "user_id": "user",
    "start_time": "created_at",
    "created": "created_at",
    "end_time": "finished_at",
}
_TIMES = frozenset({"created_at", "finished_at"})
_KEYWORDS = frozenset({"and", "in", "not", "like", "ilike", "or", "is", "null"})


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the filter at {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "field" and value.lower() in _KEYWORDS:
            kind, value = "keyword", value.lower()
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _split_field(raw: str) -> tuple[str, str]:
    """``(entity, key)`` of an MLflow field: ``metrics.`my key``` -> ``("metrics", "my key")``."""
    entity, _, key = raw.partition(".")
    if not key:
        entity, key = "attributes", entity
    if key[:1] in '`"' and key[-1:] == key[:1]:
        key = key[1:-1]
    canonical = _ENTITIES.get(entity.lower())
    if canonical is None:
        raise ValueError(
            f"filters on {entity!r} are not supported (metrics, params, tags, attributes)"
        )
    return canonical, key


def _quote_key(key: str) -> str:
    return "`" + key.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(token: tuple[str, str]) -> str | float:
    kind, value = token
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if kind == "number":
        return float(value)
    raise ValueError(f"expected a value, not {value!r}")


def _value(entity: str, field: str, raw: str | float) -> str:
    """The Atlas literal of MLflow value ``raw`` compared with ``field``."""
    if field == "status":
        status = STATUS_OF_RUN.get(str(raw).upper())
        if status is None:
            raise ValueError(f"unknown run status {raw!r} (RUNNING, FINISHED, FAILED, KILLED)")
        return _literal(str(status))
    if field in _TIMES:
        when = datetime.fromtimestamp(float(raw) / 1000, tz=UTC)
        return _literal(when.isoformat())
    if entity == "metrics":
        if isinstance(raw, str):
            raise ValueError(f"a metric compares with a number, not {raw!r}")
        return repr(raw)
    if entity == "params":
        value = param_value(raw if isinstance(raw, str) else _number_text(raw))
        return repr(value) if isinstance(value, int | float) else _literal(str(value))
    return _literal(raw if isinstance(raw, str) else _number_text(raw))


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _like(pattern: str, *, ignore_case: bool) -> str:
    parts = [".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern]
    return _literal(("(?i)" if ignore_case else "") + "^" + "".join(parts) + "$")


def _target(entity: str, key: str) -> str:
    if entity == "attributes":
        field = _ATTRIBUTES.get(key)
        if field is None:
            raise ValueError(f"filters on the run attribute {key!r} are not supported")
        return field
    return f"{entity}.{_quote_key(key)}"


def atlas_filter(text: str) -> str:
    """The Atlas query of MLflow filter ``text`` (``""`` for none); ``ValueError`` with a
    message for the user when it cannot be translated."""
    tokens = _tokens(text or "")
    clauses: list[str] = []
    position = 0
    while position < len(tokens):
        clause, position = _clause(tokens, position)
        clauses.append(clause)
        if position < len(tokens):
            if tokens[position] != ("keyword", "and"):
                raise ValueError(f"expected AND, not {tokens[position][1]!r} (OR is not supported)")
            position += 1
            if position == len(tokens):
                raise ValueError("the filter ends with AND")
    return " and ".join(clauses)


def _clause(tokens: list[tuple[str, str]], position: int) -> tuple[str, int]:
    kind, raw = tokens[position]
    if kind != "field":
        raise ValueError(f"expected a field such as metrics.acc, not {raw!r}")
    entity, key = _split_field(raw)
    field = _target(entity, key)
    position += 1
    negated = tokens[position : position + 1] == [("keyword", "not")]
    position += negated
    if position >= len(tokens):
        raise ValueError(f"{raw} needs a comparison")
    op_kind, op = tokens[position]
    position += 1
    if op in ("in",):
        values, position = _list(tokens, position)
        literals = ", ".join(_value(entity, field, v) for v in values)
        return f"{field} {'not in' if negated else 'in'} ({literals})", position
    if op in ("like", "ilike"):
        pattern = _unquote(tokens[position])
        regex = _like(str(pattern), ignore_case=op == "ilike")
        return f"{field} {'!~' if negated else '~'} {regex}", position + 1
    if negated or op_kind != "op" or op in ("(", ")", ","):
        raise ValueError(f"unsupported comparison {op!r} after {raw}")
    if position >= len(tokens):
        raise ValueError(f"{raw} {op} needs a value")
    value = _value(entity, field, _unquote(tokens[position]))
    return f"{field} {'=' if op == '==' else op} {value}", position + 1


def _list(tokens: list[tuple[str, str]], position: int) -> tuple[list[str | float], int]:
    if tokens[position : position + 1] != [("op", "(")]:
        raise ValueError("IN takes a list in parentheses: IN ('a', 'b')")
    values: list[str | float] = []
    position += 1
    while position < len(tokens):
        values.append(_unquote(tokens[position]))
        position += 1
        separator = tokens[position][1] if position < len(tokens) else ""
        position += 1
        if separator == ")":
            return values, position
        if separator != ",":
            break
    raise ValueError("an IN list must end with ')'")


def atlas_sort(order_by: list[str]) -> list[str]:
    """Atlas sort fields of MLflow ``order_by`` clauses (``metrics.acc DESC``,
    ``attributes.start_time``); default newest first."""
    fields: list[str] = []
    for clause in order_by:
        text = clause.strip()
        descending = False
        lowered = text.lower()
        if lowered.endswith(" desc") or lowered.endswith(" asc"):
            descending = lowered.endswith(" desc")
            text = text.rsplit(None, 1)[0].strip()
        entity, key = _split_field(text)
        fields.append(("-" if descending else "") + _target(entity, key))
    return fields or ["-created_at"]
