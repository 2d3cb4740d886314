"""Wire models of sweeps (docs/sweeps.md, "REST API")."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, JsonValue

from atlas.domain import JobStatus, Sweep, SweepStatus, Trial, TrialState
from atlas.names import MAX_SWEEP_TRIALS, MAX_USER_LENGTH
from atlas.server.schemas import ProjectName, Sha256, UtcDatetime, WireFloat, WireInt, WireModel

__all__ = [
    "ImportanceOut",
    "ImportancesOut",
    "SweepCreate",
    "SweepCountsOut",
    "SweepErrorOut",
    "SweepListOut",
    "SweepOut",
    "TrialListOut",
    "TrialOut",
    "TrialsAdd",
]


class SweepCreate(WireModel):
    project: ProjectName
    user: Annotated[str, Field(max_length=MAX_USER_LENGTH)] = Field(
        default="", description="the user recorded (with authentication on: the caller)"
    )
    snapshot: Sha256 | None = Field(
        default=None, description="the code the trials run, uploaded first (PUT /snapshots/…)"
    )
    spec: dict[str, JsonValue] = Field(
        description="the sweep's spec, as in the YAML file (docs/sweeps.md); unknown keys "
        "are refused with their path"
    )


class TrialsAdd(WireModel):
    count: Annotated[WireInt, Field(ge=1, le=MAX_SWEEP_TRIALS)]


class SweepErrorOut(WireModel):
    code: str
    message: str


class SweepCountsOut(WireModel):
    running: int
    complete: int
    pruned: int
    failed: int


class TrialOut(WireModel):
    number: int
    job_id: str | None
    state: TrialState
    params: dict[str, JsonValue]
    values: list[WireFloat] | None
    pruned_step: int | None
    error: str | None
    job_status: JobStatus | None
    created_at: UtcDatetime = Field(description="when the trial was asked and its job queued")
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None

    @classmethod
    def from_domain(cls, trial: Trial) -> TrialOut:
        """The wire form of ``trial``."""
        return cls.model_construct(
            number=trial.number,
            job_id=trial.job_id,
            state=trial.state,
            params=trial.params,
            values=None if trial.values is None else list(trial.values),
            pruned_step=trial.pruned_step,
            error=trial.error,
            job_status=trial.job_status,
            created_at=trial.created_at,
            started_at=trial.started_at,
            finished_at=trial.finished_at,
        )


class SweepOut(WireModel):
    id: str
    project: str
    name: str
    user: str
    status: SweepStatus
    spec: dict[str, JsonValue] = Field(description="the normalised spec (docs/sweeps.md)")
    snapshot: Sha256 | None = Field(description="the code the trials run")
    trials: int = Field(description="the budget of trials")
    addable: bool = Field(
        description="whether POST /sweeps/{id}/trials may raise the budget (a search space "
        f"sampled by other than grid, below {MAX_SWEEP_TRIALS} trials)"
    )
    parallel: int
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    error: SweepErrorOut | None = Field(description="why the sweep failed or cannot go on")
    counts: SweepCountsOut
    best: list[TrialOut] = Field(
        description="the best trial, or the Pareto front of several objectives"
    )

    @classmethod
    def from_domain(cls, sweep: Sweep, best: list[Trial], *, addable: bool) -> SweepOut:
        """The wire form of ``sweep`` with its ``best`` trials; ``addable``: whether its
        budget may grow."""
        error = None
        if sweep.error is not None:
            error = SweepErrorOut(code=sweep.error.code, message=sweep.error.message)
        counts = {str(state): sweep.counts.get(state, 0) for state in TrialState}
        return cls.model_construct(
            id=sweep.id,
            project=sweep.project,
            name=sweep.name,
            user=sweep.user,
            status=sweep.status,
            spec=sweep.spec,
            snapshot=sweep.snapshot,
            trials=sweep.trials,
            addable=addable,
            parallel=sweep.parallel,
            created_at=sweep.created_at,
            finished_at=sweep.finished_at,
            error=error,
            counts=SweepCountsOut(**counts),
            best=[TrialOut.from_domain(trial) for trial in best],
        )


class SweepListOut(WireModel):
    items: list[SweepOut]


class TrialListOut(WireModel):
    items: list[TrialOut]


class ImportanceOut(WireModel):
    param: str
    importance: float


class ImportancesOut(WireModel):
    items: list[ImportanceOut]
    reason: str | None = Field(
        default=None, description="why there are none yet (fewer than 2 complete trials)"
    )
