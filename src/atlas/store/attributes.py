"""Job attributes (params and tags): validated, merged and read in bulk, and the keys in
use per project (params, tags and metrics)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Connection, Delete, Table, bindparam, delete, insert, select

from atlas.domain import ParamValue
from atlas.errors import NotFoundError
from atlas.names import check_key, check_tag_value, is_storable
from atlas.store.tables import params_table, summaries_table, tags_table
from atlas.store.validation import check_mapping, decode_params, encode_param

__all__ = [
    "delete_key",
    "list_keys",
    "load_params",
    "load_tags",
    "write_params",
    "write_tags",
]

_KEYED_TABLES: dict[str, Table] = {
    "param": params_table,
    "tag": tags_table,
    "metric": summaries_table,
}


def write_params(
    conn: Connection, job_id: str, project_id: int, params: Mapping[str, ParamValue]
) -> None:
    """Merge ``params`` into the job's params (all are checked before any is written)."""
    rows = []
    for key, value in check_mapping(params, field="params").items():
        value_json, value_num, value_text = encode_param(check_key(key, kind="param"), value)
        rows.append(
            {
                "job_id": job_id,
                "key": key,
                "project_id": project_id,
                "value_json": value_json,
                "value_num": value_num,
                "value_text": value_text,
            }
        )
    _replace(conn, params_table, job_id, rows)


def write_tags(conn: Connection, job_id: str, project_id: int, tags: Mapping[str, str]) -> None:
    """Merge ``tags`` into the job's tags (all are checked before any is written)."""
    rows = [
        {
            "job_id": job_id,
            "key": check_key(key, kind="tag"),
            "project_id": project_id,
            "value": check_tag_value(key, value),
        }
        for key, value in check_mapping(tags, field="tags").items()
    ]
    _replace(conn, tags_table, job_id, rows)


def delete_key(conn: Connection, kind: str, job_id: str, key: str) -> None:
    """Remove the job's param or tag ``key``; ``NotFoundError`` when it has none."""
    table = _KEYED_TABLES[kind]
    gone = 0
    if is_storable(key):
        query = delete(table).where(table.c.job_id == job_id, table.c.key == key)
        gone = conn.execute(query).rowcount
    if gone == 0:
        raise NotFoundError(
            f"job {job_id} has no {kind} {key!r}", detail={"job_id": job_id, kind: key}
        )


def load_params(conn: Connection, job_ids: Collection[str]) -> dict[str, dict[str, ParamValue]]:
    """The params of each job in ``job_ids`` (one query), by job id then key."""
    found: dict[str, dict[str, ParamValue]] = {job_id: {} for job_id in job_ids}
    rows = conn.execute(_LOAD_PARAMS, {"job_ids": list(job_ids)}).all()
    values = decode_params([value_json for _, _, value_json in rows])
    for (job_id, key, _), value in zip(rows, values, strict=True):
        found[job_id][key] = value
    return found


def load_tags(conn: Connection, job_ids: Collection[str]) -> dict[str, dict[str, str]]:
    """The tags of each job in ``job_ids`` (one query), by job id then key."""
    found: dict[str, dict[str, str]] = {job_id: {} for job_id in job_ids}
    for job_id, key, value in conn.execute(_LOAD_TAGS, {"job_ids": list(job_ids)}):
        found[job_id][key] = value
    return found


def list_keys(conn: Connection, kind: str, project_id: int) -> list[str]:
    """Every param, tag or metric key used in the project, sorted."""
    table = _KEYED_TABLES[kind]
    query = select(table.c.key).where(table.c.project_id == project_id).distinct()
    return sorted(conn.scalars(query))


def _replace(conn: Connection, table: Table, job_id: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    keys = [row["key"] for row in rows]
    conn.execute(_DELETE_KEYS[table.name], {"job_id": job_id, "keys": keys})
    conn.execute(insert(table), rows)


# Built once: every write of a param or tag (MLflow's log-param, set-tag) runs them, and
# building a statement costs more than running it.
def _delete_keys(table: Table) -> Delete:
    return delete(table).where(
        table.c.job_id == bindparam("job_id"), table.c.key.in_(bindparam("keys", expanding=True))
    )


_DELETE_KEYS = {table.name: _delete_keys(table) for table in (params_table, tags_table)}
_P, _T = params_table, tags_table
_LOAD_PARAMS = (
    select(_P.c.job_id, _P.c.key, _P.c.value_json)
    .where(_P.c.job_id.in_(bindparam("job_ids", expanding=True)))
    .order_by(_P.c.job_id, _P.c.key)
)
_LOAD_TAGS = (
    select(_T.c.job_id, _T.c.key, _T.c.value)
    .where(_T.c.job_id.in_(bindparam("job_ids", expanding=True)))
    .order_by(_T.c.job_id, _T.c.key)
)
