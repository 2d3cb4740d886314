"""Wire models of the GUI workspace: saved views, fields of many jobs as columns, row
groups, a project's param importances and batch series reads (docs/rest-api.md,
"Workspace"). The limits are ``atlas.names``'s, published here in the schema."""

from __future__ import annotations

import base64
import math
from collections.abc import Set
from datetime import datetime
from typing import Annotated, Literal, cast

import numpy as np
from pydantic import ConfigDict, Field, JsonValue, StringConstraints

from atlas.names import (
    MAX_SERIES_JOBS,
    MAX_SERIES_KEYS,
    MAX_SERIES_PAIRS,
    MAX_SERIES_POINTS,
    MAX_VIEW_NAME_LENGTH,
)
from atlas.server.metrics_codec import encode_float64
from atlas.server.schemas import (
    JobId,
    JsonObject,
    Key,
    SeriesOut,
    Text,
    UtcDatetime,
    WireInt,
    WireModel,
)
from atlas.store.api import FieldValue, GroupSummary, JobGroups, JobValues, SeriesRead, View

__all__ = [
    "Encoding",
    "Float64ColumnOut",
    "GroupOut",
    "GroupsOut",
    "GroupSummaryOut",
    "Include",
    "JobValuesOut",
    "ProjectImportanceOut",
    "ProjectImportancesOut",
    "SeriesBatchIn",
    "SeriesBatchOut",
    "SeriesItemOut",
    "ViewCreate",
    "ViewListOut",
    "ViewOut",
    "ViewUpdate",
    "wire_value",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

ViewName = Annotated[
    Text, StringConstraints(min_length=1, max_length=MAX_VIEW_NAME_LENGTH, pattern=r"\S")
]
StepBound = Annotated[WireInt, Field(ge=INT64_MIN, le=INT64_MAX)]
WireValue = Annotated[
    JsonValue,
    Field(
        description="a number, text, boolean, list or object as stored; NaN and infinities "
        'as "NaN", "Infinity", "-Infinity"; times as ISO 8601 text; null where the job '
        "lacks the field"
    ),
]


# -- saved views ---------------------------------------------------------------------------------
class ViewCreate(WireModel):
    name: ViewName
    state: JsonObject = Field(description="the GUI's view state (at most 64 KiB of JSON)")
    is_default: bool = False


class ViewUpdate(WireModel):
    name: ViewName | None = None
    state: JsonObject | None = None
    is_default: bool | None = None


class ViewOut(WireModel):
    id: str
    project: str
    name: str
    state: dict[str, JsonValue]
    is_default: bool
    created_by: str
    updated_by: str
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @classmethod
    def from_domain(cls, view: View) -> ViewOut:
        """The wire form of ``view``."""
        return cls.model_construct(
            id=view.id,
            project=view.project,
            name=view.name,
            state=view.state,
            is_default=view.is_default,
            created_by=view.created_by,
            updated_by=view.updated_by,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class ViewListOut(WireModel):
    items: list[ViewOut]


# -- columnar values and groups ------------------------------------------------------------------
_BOTH: frozenset[Include] = frozenset({"names", "statuses"})


def wire_value(value: FieldValue) -> JsonValue:
    """A field's value as the wire carries it: non-finite numbers and times as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return cast(JsonValue, value)


Encoding = Literal["json", "base64"]
Include = Literal["names", "statuses"]
_JOB_ID_LENGTH = 16  # atlas.domain.new_job_id's; ids of another length travel as a list
_FLOAT64_INT_LIMIT = 2**53  # integers past it are not all float64s: sent as JSON


class Float64ColumnOut(WireModel):
    float64: str = Field(
        description="base64 of one little-endian float64 per job (NaN and infinities as "
        "IEEE values; 0 where the job lacks the field)"
    )
    nulls: str | None = Field(
        description="base64 of one bit per job, least significant bit first, set where the "
        "job lacks the field; null when every job has it"
    )


class JobValuesOut(WireModel):
    total: int = Field(description="jobs the filter matches (the newest `limit` are here)")
    encoding: Encoding = Field(description="`base64`: ids and numeric columns packed")
    ids: list[str] | str = Field(
        description="with `encoding=base64`, one string of the 16-character ids when every id "
        "has 16 characters"
    )
    names: list[str] | None = Field(None, description="with `names` in `include`")
    statuses: list[str] | None = Field(None, description="with `statuses` in `include`")
    columns: dict[str, list[WireValue] | Float64ColumnOut] = Field(
        description="each field's values, in the order of `ids`; with `encoding=base64`, a "
        "column of numbers only (and nulls) as a `Float64Column`"
    )

    @classmethod
    def from_domain(
        cls, values: JobValues, *, encoding: Encoding = "json", include: Set[Include] = _BOTH
    ) -> JobValuesOut:
        """The wire form of ``values`` in ``encoding``, with the names and statuses
        ``include`` names (use ``dump`` to leave the others out of the JSON)."""
        packed = encoding == "base64"
        columns = {
            name: (_packed_column(column) if packed else None) or _wire_column(column)
            for name, column in values.columns.items()
        }
        fixed = packed and set(map(len, values.ids)) <= {_JOB_ID_LENGTH}
        return cls.model_construct(
            total=values.total,
            encoding=encoding,
            ids="".join(values.ids) if fixed else values.ids,
            names=values.names if "names" in include else None,
            statuses=values.statuses if "statuses" in include else None,
            columns=columns,
        )

    def dump(self) -> bytes:
        """The JSON of this answer, without the names and statuses it leaves out."""
        absent = {name for name in ("names", "statuses") if getattr(self, name) is None}
        return self.model_dump_json(exclude=absent).encode()


def _wire_column(column: list[FieldValue]) -> list[JsonValue]:
    plain = (int, str, bool, type(None))
    return [
        value
        if isinstance(value, plain) or (isinstance(value, float) and math.isfinite(value))
        else wire_value(value)
        for value in column
    ]


def _packed_column(column: list[FieldValue]) -> Float64ColumnOut | None:
    """``column`` as float64s and a null mask, or ``None`` when it holds other values than
    numbers (booleans, text, times, integers that float64 would round)."""
    kinds = set(map(type, column))
    if not kinds <= {float, int, type(None)}:
        return None
    if int in kinds and any(type(v) is int and abs(v) > _FLOAT64_INT_LIMIT for v in column):
        return None
    numbers = cast(list[float], column)
    nulls: str | None = None
    if type(None) in kinds:
        missing = np.array([v is None for v in column], dtype=np.bool_)
        nulls = base64.b64encode(np.packbits(missing, bitorder="little").tobytes()).decode()
        numbers = [0.0 if v is None else v for v in numbers]
    return Float64ColumnOut.model_construct(float64=encode_float64(numbers), nulls=nulls)


class GroupSummaryOut(WireModel):
    mean: float | None
    min: float | None
    max: float | None
    count: int = Field(description="the group's jobs that have the metric as a finite number")

    @classmethod
    def from_domain(cls, summary: GroupSummary) -> GroupSummaryOut:
        """The wire form of ``summary``."""
        return cls.model_construct(
            mean=summary.mean, min=summary.min, max=summary.max, count=summary.count
        )


class GroupOut(WireModel):
    values: dict[str, WireValue]
    count: int
    summaries: dict[str, GroupSummaryOut]


class GroupsOut(WireModel):
    total: int = Field(description="jobs the filter matches")
    groups: list[GroupOut]

    @classmethod
    def from_domain(cls, found: JobGroups) -> GroupsOut:
        """The wire form of ``found``."""
        groups = [
            GroupOut.model_construct(
                values={name: wire_value(value) for name, value in group.values.items()},
                count=group.count,
                summaries={
                    name: GroupSummaryOut.from_domain(summary)
                    for name, summary in group.summaries.items()
                },
            )
            for group in found.groups
        ]
        return cls.model_construct(total=found.total, groups=groups)


# -- importances ------------------------------------------------------------------------------
class ProjectImportanceOut(WireModel):
    param: str
    correlation: float | None = Field(
        description="Spearman's rank correlation with the metric (null for a categorical param)"
    )
    importance: float = Field(description="Optuna's default evaluator (fANOVA); they sum to 1")


class ProjectImportancesOut(WireModel):
    metric: str
    jobs: int = Field(description="jobs that have the metric as a finite number (at most 5,000)")
    items: list[ProjectImportanceOut]
    reason: str | None = Field(default=None, description="why there are no items")


# -- batch series ---------------------------------------------------------------------------------
class SeriesBatchIn(WireModel):
    # the lists' lengths are bounded above; their product (job and key pairs) is stated here
    model_config = ConfigDict(
        **WireModel.model_config, json_schema_extra={"x-max-pairs": MAX_SERIES_PAIRS}
    )

    jobs: list[JobId] = Field(min_length=1, max_length=MAX_SERIES_JOBS)
    keys: list[Key] = Field(min_length=1, max_length=MAX_SERIES_KEYS)
    max_points: Annotated[WireInt, Field(ge=2, le=MAX_SERIES_POINTS)] | None = None
    min_step: StepBound | None = None
    max_step: StepBound | None = None


class SeriesItemOut(SeriesOut):
    job_id: str


class SeriesBatchOut(WireModel):
    items: list[SeriesItemOut]

    @classmethod
    def from_domain(cls, found: list[SeriesRead]) -> SeriesBatchOut:
        """The wire form of ``found``."""
        items = [
            SeriesItemOut.model_construct(
                job_id=read.job_id,
                key=read.series.key,
                steps=read.series.steps,
                times=read.series.times,
                values=read.series.values,
                total=read.series.total,
                downsampled=read.series.downsampled,
            )
            for read in found
        ]
        return cls.model_construct(items=items)
