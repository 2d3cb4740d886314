"""MLflow's ``search_runs`` filters and ``order_by`` as Atlas's query language.

MLflow's filter is comparisons joined by ``AND``:
``metrics.acc > 0.9 and params.lr = '0.01' and tags.stage = 'prod' and attributes.status =
'FINISHED'``. Each becomes the Atlas comparison of the same field (docs/rest-api.md#filters):
a metric compares its last value, a param's text compares as the number Atlas keeps when it
reads back exactly (``wire.param_value``), ``LIKE``/``ILIKE`` become anchored regular
expressions, ``IN``/``NOT IN`` lists stay lists, and the run attributes map onto job fields
(``status``, ``run_name``, ``run_id``, ``user_id``, ``start_time``, ``end_time``). Anything else
(``OR``, ``datasets.*``) is a ``ValueError`` with a message for the user.

Attributes compare as ``wire.run_json`` reports them: a status (``=``, ``IN``, ``LIKE``) names
the job statuses that read back as it (``FAILED``: failed and lost jobs), and ``start_time``
is a job's start, or its creation while it has not started.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from atlas.server.mlflow.wire import RUN_STATUSES, param_value, statuses_of_run

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
    "start_time": "started_at",
    "created": "started_at",
    "end_time": "finished_at",
}
_TIMES = frozenset({"started_at", "finished_at"})
_NOTHING = 'id = ""'  # no job's id is empty
_EVERYTHING = 'id != ""'
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
    if field in _TIMES:
        try:
            when = datetime.fromtimestamp(float(raw) / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"{raw!r} is not a time in milliseconds since the epoch within the years 1 to 9999"
            ) from None
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


def _like_regex(pattern: str, *, ignore_case: bool) -> str:
    parts = [".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern]
    return ("(?i)" if ignore_case else "") + "^" + "".join(parts) + "$"


def _like(pattern: str, *, ignore_case: bool) -> str:
    return _literal(_like_regex(pattern, ignore_case=ignore_case))


def _run_status(raw: str | float) -> str:
    name = str(raw).upper()
    if name not in RUN_STATUSES:
        raise ValueError(f"unknown run status {raw!r} ({', '.join(RUN_STATUSES)})")
    return name


def _status_clause(op: str, values: list[str | float], *, negated: bool) -> str:
    """``status [not] in (...)`` of the job statuses that read back as the MLflow statuses
    ``op`` picks: ``=``/``!=`` and ``in`` name them, ``like``/``ilike`` match them."""
    if op in ("like", "ilike"):
        regex = _like_regex(str(values[0]), ignore_case=op == "ilike")
        names = [name for name in RUN_STATUSES if re.search(regex, name)]
    elif op in ("=", "==", "!=", "<>", "in"):
        names = [_run_status(value) for value in values]
        negated = negated != (op in ("!=", "<>"))
    else:
        raise ValueError(f"a run status compares with =, !=, IN or LIKE, not {op!r}")
    statuses = [str(s) for name in dict.fromkeys(names) for s in statuses_of_run(name)]
    if not statuses:
        return _EVERYTHING if negated else _NOTHING
    literals = ", ".join(_literal(status) for status in statuses)
    return f"status {'not in' if negated else 'in'} ({literals})"


def _started(clause: str) -> str:
    """``clause`` on ``started_at`` as MLflow's ``start_time``: the start, or the creation
    of a job that has not started (``wire.run_json``)."""
    on_created = clause.replace("started_at", "created_at", 1)
    return f"({clause} or started_at = null and {on_created})"


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
    if op == "in":
        values, position = _list(tokens, position)
    elif op in ("like", "ilike") or (op_kind == "op" and op not in ("(", ")", ",")):
        if position >= len(tokens):
            raise ValueError(f"{raw} {op} needs a value")
        values, position = [_unquote(tokens[position])], position + 1
        if negated and op not in ("like", "ilike"):
            raise ValueError(f"unsupported comparison NOT {op!r} after {raw}")
    else:
        raise ValueError(f"unsupported comparison {op!r} after {raw}")
    if field == "status":
        return _status_clause(op, values, negated=negated), position
    clause = _comparison(entity, field, op, values, negated=negated)
    return (_started(clause) if field == "started_at" else clause), position


def _comparison(
    entity: str, field: str, op: str, values: list[str | float], *, negated: bool
) -> str:
    if op == "in":
        literals = ", ".join(_value(entity, field, v) for v in values)
        clause = f"{field} {'not in' if negated else 'in'} ({literals})"
    elif op in ("like", "ilike"):
        clause = (
            f"{field} {'!~' if negated else '~'} {_like(str(values[0]), ignore_case=op == 'ilike')}"
        )
    else:
        return f"{field} {'=' if op == '==' else op} {_value(entity, field, values[0])}"
    if negated and entity != "attributes":  # as in MLflow, a run without the key never matches
        return f"({field} exists and {clause})"
    return clause


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
