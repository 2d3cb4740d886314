"""How ``atlas sweep`` shows sweeps and trials: tables, the ``show`` text and ``--json``.

``--json`` output follows the REST API's ``Sweep`` and ``Trial`` shapes (docs/sweeps.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atlas.cli.formats import cell, format_number, format_time, format_value
from atlas.cli.tables import Column, render_table, terminal_width
from atlas.domain import Sweep, Trial, TrialState

__all__ = [
    "failures",
    "objectives_of",
    "sweep_details",
    "sweep_json",
    "sweeps_table",
    "trial_json",
    "trial_line",
    "trials_table",
]

_ENDED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAILED)


def objectives_of(spec: Mapping[str, object]) -> list[dict[str, object]]:
    """The spec's objectives as a list of ``{metric, direction, summary}``."""
    objective = spec.get("objective")
    if isinstance(objective, Mapping):
        return [dict(objective)]
    if isinstance(objective, list):
        return [dict(o) for o in objective if isinstance(o, Mapping)]
    return []


def _named(value: object) -> str:
    """A sampler or pruner of the spec: ``tpe``, ``tpe (seed 1)``; ``-`` for none."""
    if isinstance(value, Mapping):
        name = str(value.get("name") or "-")
        seed = value.get("seed")
        return name if seed is None else f"{name} (seed {seed})"
    return "-" if value is None else str(value)


def sweep_json(sweep: Sweep, best: Sequence[Trial] | None = None) -> dict[str, object]:
    """A sweep in the REST API's ``Sweep`` shape (``best`` when given)."""
    data: dict[str, object] = {
        "id": sweep.id,
        "project": sweep.project,
        "name": sweep.name,
        "user": sweep.user,
        "status": str(sweep.status),
        "spec": sweep.spec,
        "trials": sweep.trials,
        "parallel": sweep.parallel,
        "created_at": sweep.created_at,
        "finished_at": sweep.finished_at,
        "error": None
        if sweep.error is None
        else {"code": sweep.error.code, "message": sweep.error.message},
        "counts": {str(state): n for state, n in sweep.counts.items()},
    }
    if best is not None:
        data["best"] = [trial_json(t) for t in best]
    return data


def trial_json(trial: Trial) -> dict[str, object]:
    """A trial in the REST API's ``Trial`` shape."""
    return {
        "number": trial.number,
        "job_id": trial.job_id,
        "state": str(trial.state),
        "params": trial.params,
        "values": None if trial.values is None else list(trial.values),
        "pruned_step": trial.pruned_step,
        "error": trial.error,
        "job_status": None if trial.job_status is None else str(trial.job_status),
        "started_at": trial.started_at,
        "finished_at": trial.finished_at,
    }


def _done(sweep: Sweep) -> int:
    return sum(sweep.counts.get(state, 0) for state in _ENDED)


def _objective_text(spec: Mapping[str, object]) -> str:
    parts = [
        f"{o.get('direction', 'minimize')} {o.get('metric', '?')}"
        + (f" ({o['summary']})" if o.get("summary") not in (None, "last") else "")
        for o in objectives_of(spec)
    ]
    return ", ".join(parts) or "-"


def sweeps_table(sweeps: Sequence[Sweep], *, width: int | None = None) -> str:
    """The ``sweep ls`` table: one line per sweep with its progress and what it seeks."""
    columns = [
        Column("ID"),
        Column("NAME", shrink=True, min_width=10),
        Column("STATUS"),
        Column("TRIALS", align="right"),
        Column("RUNNING", align="right"),
        Column("OBJECTIVE", shrink=True, min_width=12),
        Column("SAMPLER", optional=True),
        Column("CREATED", optional=True),
    ]
    rows = [
        [
            s.id,
            cell(s.name) or "-",
            str(s.status),
            f"{_done(s)}/{s.trials}",
            str(s.counts.get(TrialState.RUNNING, 0)),
            cell(_objective_text(s.spec)),
            cell(_named(s.spec.get("sampler"))),
            format_time(s.created_at),
        ]
        for s in sweeps
    ]
    return render_table(columns, rows, width=width).text


def _values_text(trial: Trial, metrics: Sequence[str]) -> str:
    if trial.values is None:
        return "no value"
    pairs = zip(metrics, trial.values, strict=False)
    return ", ".join(f"{metric} {format_number(value)}" for metric, value in pairs)


def _params_text(params: Mapping[str, object]) -> str:
    return " ".join(f"{key}={format_value(value)}" for key, value in params.items())


def trial_line(trial: Trial, metrics: Sequence[str]) -> str:
    """``trial 3 complete (job ID): val_loss 0.12; lr=0.01 layers=2`` (and why it was
    pruned or failed)."""
    job = f" (job {trial.job_id})" if trial.job_id else ""
    text = f"trial {trial.number} {trial.state}{job}"
    if trial.state is TrialState.COMPLETE:
        text += f": {_values_text(trial, metrics)}"
    elif trial.state is TrialState.PRUNED and trial.pruned_step is not None:
        text += f" at step {trial.pruned_step}"
    if trial.error and trial.state is not TrialState.COMPLETE:
        text += f": {_reason(trial)}"
    params = _params_text(trial.params)
    return cell(f"{text}; {params}" if params else text)


def trials_table(trials: Sequence[Trial], metrics: Sequence[str], *, width: int | None) -> str:
    """Trials by number: job, state, each objective's value, the step a pruned trial
    stopped at, and its params (dropped from the right when the terminal is narrow)."""
    params = list(dict.fromkeys(key for t in trials for key in t.params))
    columns = [Column("#", align="right"), Column("JOB"), Column("STATE")]
    columns += [Column(cell(m.upper()), align="right") for m in metrics]
    columns.append(Column("PRUNED AT", align="right"))
    columns += [Column(cell(p), optional=True, shrink=True, min_width=6) for p in params]
    rows = []
    for t in trials:
        values = list(t.values or ())
        row = [str(t.number), t.job_id or "-", str(t.state)]
        row += [format_number(values[i]) if i < len(values) else "-" for i in range(len(metrics))]
        row.append("-" if t.pruned_step is None else str(t.pruned_step))
        row += [format_value(t.params[p]) if p in t.params else "" for p in params]
        rows.append(row)
    return render_table(columns, rows, width=width).text


def _reason(trial: Trial) -> str:
    """Why the trial failed, without the ``trial N`` the server's sentence may start with
    (so trials that failed alike read alike)."""
    if not trial.error:
        return "no reason recorded"
    return trial.error.removeprefix(f"trial {trial.number} ")


def failures(trials: Sequence[Trial]) -> list[str]:
    """Why trials failed, one line per reason: ``trials 2, 5: the job failed (exit 1)``."""
    reasons: dict[str, list[int]] = {}
    for t in trials:
        if t.state is TrialState.FAILED:
            reasons.setdefault(_reason(t), []).append(t.number)
    lines = []
    for reason, numbers in reasons.items():
        noun = "trial" if len(numbers) == 1 else "trials"
        lines.append(cell(f"{noun} {', '.join(str(n) for n in numbers)}: {reason}"))
    return lines


def _summary(sweep: Sweep) -> str:
    counts = ", ".join(
        f"{state} {sweep.counts.get(state, 0)}" for state in _ENDED if sweep.counts.get(state)
    )
    progress = f"{_done(sweep)} of {sweep.trials} done" + (f" ({counts})" if counts else "")
    progress += f", {sweep.counts.get(TrialState.RUNNING, 0)} running, {sweep.parallel} at a time"
    fields = [
        ("name", cell(sweep.name) or "-"),
        ("status", str(sweep.status)),
        ("objective", cell(_objective_text(sweep.spec))),
        ("sampler", cell(_named(sweep.spec.get("sampler")))),
        ("pruner", cell(_named(sweep.spec.get("pruner") or "none"))),
        ("trials", progress),
        ("user", cell(sweep.user) or "-"),
        ("created", format_time(sweep.created_at, seconds=True, zone=True)),
        ("finished", format_time(sweep.finished_at, seconds=True, zone=True)),
    ]
    if sweep.error is not None:
        code = f"{sweep.error.code}: " if sweep.error.code else ""
        fields.append(("error", cell(code + sweep.error.message)))
    lines = [f"Sweep {sweep.id} in project {sweep.project!r}"]
    lines += [f"  {label + ':':<10} {value}" for label, value in fields]
    return "\n".join(lines)


def sweep_details(
    sweep: Sweep, trials: Sequence[Trial], best: Sequence[Trial], *, width: int | None = None
) -> str:
    """The ``sweep show`` text: a summary, the best trial (or the Pareto front), the
    trials table, then why trials failed."""
    metrics = [str(o.get("metric", "?")) for o in objectives_of(sweep.spec)]
    sections = [_summary(sweep)]
    if best:
        title = "Best trial" if len(metrics) <= 1 else f"Pareto front ({len(best)} trials)"
        sections.append(title + "\n" + "\n".join("  " + trial_line(t, metrics) for t in best))
    if trials:
        inner = (terminal_width() if width is None else width) - 2
        table = trials_table(trials, metrics, width=inner)
        sections.append("Trials\n" + "\n".join("  " + line for line in table.splitlines()))
        failed = failures(trials)
        if failed:
            sections.append("Failed trials\n" + "\n".join("  " + line for line in failed))
    else:
        sections.append("No trials yet.")
    return "\n\n".join(sections)
