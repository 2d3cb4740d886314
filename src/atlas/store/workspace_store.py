"""The GUI workspace's half of ``SqlStore``: saved views, fields of many jobs as columns,
row groups and batch series reads (docs/rest-api.md, "Workspace").

``SqlWorkspace`` opens the transactions; the work is done by ``views``, ``job_values``,
``job_groups`` and ``metrics``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection

from atlas.errors import QueryTooExpensiveError
from atlas.names import MAX_VALUES_JOBS, invalid
from atlas.store import job_groups, job_values, metrics, views
from atlas.store.api import JobGroups, JobValues, SeriesRead, View
from atlas.store.engine import statement_deadline
from atlas.store.projects import project_version
from atlas.store.query.nodes import Field
from atlas.store.query.parse import parse_sort
from atlas.store.series_cache import SeriesCache
from atlas.store.sweep_store import SqlSweeps

__all__ = ["SqlWorkspace"]


class SqlWorkspace(SqlSweeps):
    """The workspace's reads and views on the database of ``_engine`` (see ``Store`` for
    each method's contract)."""

    _query_timeout: float
    _series_cache: SeriesCache
    _column_cache: job_values.ColumnCache

    # -- saved views ---------------------------------------------------------------------------
    def create_view(
        self,
        project: str,
        *,
        name: str,
        state: Mapping[str, object],
        is_default: bool = False,
        user: str,
    ) -> View:
        """Save a view of ``project``."""
        with self._write() as conn:
            view_id = views.insert_view(
                conn, project, name=name, state=state, is_default=is_default, user=user
            )
            return views.get_view(conn, view_id)

    def get_view(self, view_id: str) -> View:
        """The view."""
        with self._read() as conn:
            return views.get_view(conn, view_id)

    def list_views(self, project: str) -> list[View]:
        """The project's views, the default first, then by name."""
        with self._read() as conn:
            return views.list_views(conn, project)

    def update_view(
        self,
        view_id: str,
        *,
        user: str,
        name: str | None = None,
        state: Mapping[str, object] | None = None,
        is_default: bool | None = None,
    ) -> View:
        """Change what is given of the view."""
        with self._write() as conn:
            views.update_view(
                conn, view_id, user=user, name=name, state=state, is_default=is_default
            )
            return views.get_view(conn, view_id)

    def delete_view(self, view_id: str) -> None:
        """Delete the view."""
        with self._write() as conn:
            views.delete_view(conn, view_id)

    # -- many jobs at once -----------------------------------------------------------------------
    def job_values(
        self,
        project: str,
        fields: Sequence[str],
        *,
        filter: str = "",
        limit: int = MAX_VALUES_JOBS,
        present: Sequence[str] = (),
        with_names: bool = True,
    ) -> JobValues:
        """Fields of the newest ``limit`` matching jobs, as columns."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not limit >= 1:
            raise invalid("limit", f"limit must be a positive integer, not {limit!r}")
        with self._read() as conn, self._deadline(conn, filter):
            return job_values.read_values(
                conn,
                project_version(conn, project),
                fields,
                filter=filter,
                limit=limit,
                present=present,
                with_names=with_names,
                cache=self._column_cache,
            )

    def job_groups(
        self,
        project: str,
        by: Sequence[str],
        metrics: Sequence[str],
        *,
        filter: str = "",
        sort: str = "",
    ) -> JobGroups:
        """The matching jobs grouped by their values of ``by``."""
        by, metrics = list(dict.fromkeys(by)), list(dict.fromkeys(metrics))
        order = _group_order(sort, by, metrics)
        found = self.job_values(project, [*by, *metrics], filter=filter, limit=MAX_VALUES_JOBS)
        return job_groups.group_values(found, by, metrics, order=order)

    def read_many_series(
        self,
        job_ids: Sequence[str],
        keys: Sequence[str],
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> list[SeriesRead]:
        """Every series of ``keys`` of every job of ``job_ids``, in one transaction; those
        of finished jobs kept in memory."""
        with self._read() as conn:
            return metrics.read_many_series(
                conn,
                job_ids,
                keys,
                min_step=min_step,
                max_step=max_step,
                max_points=max_points,
                cache=self._series_cache,
            )

    @contextmanager
    def _deadline(self, conn: Connection, filter: str) -> Iterator[None]:
        """Stop the reads past the ``query_timeout`` as the job listing does (422)."""
        limit = self._query_timeout
        if not filter.strip():
            # Without a filter every read is an index range: nothing for a limit to stop.
            yield
            return
        try:
            with statement_deadline(conn, limit):
                yield
        except TimeoutError:
            raise QueryTooExpensiveError(
                f"reading the jobs' values ran longer than {limit:g} s and was stopped; "
                "narrow the filter",
                detail={"limit_s": limit, "filter": filter[:200]},
            ) from None


def _group_order(sort: str, by: list[str], metrics: list[str]) -> list[tuple[str, bool]]:
    """The sort keys of ``sort`` that name a grouped field or a summarised metric, as
    ``(column, descending)``; the others (``created_at``, ...) do not order groups."""
    columns = {_bare(job_values.parse_field(name)): name for name in [*by, *metrics]}
    order = []
    for key in parse_sort(sort):
        column = columns.get(_bare(key.field))
        if column is not None:
            order.append((column, key.descending))
    return order


def _bare(field: Field) -> tuple[str, str, str | None]:
    return (str(field.kind), field.name, field.agg)
