"""The Optuna callback with the real Optuna (a dependency of Atlas's sweeps: in CI)."""

from __future__ import annotations

import optuna
import pytest

import atlas
from atlas.domain import JobStatus
from atlas.sdk.client import Client
from tests.sdk.conftest import free_port


def objective(trial: optuna.Trial) -> float:
    """Trial 0 completes, trial 1 is pruned, trial 2 fails."""
    x = trial.suggest_float("x", -10.0, 10.0)
    trial.suggest_categorical("kind", ["a", "b"])
    for step in range(3):
        trial.report((x - 2) ** 2 + 3 - step, step)
        if trial.number == 1 and step == 1:
            raise optuna.TrialPruned()
    if trial.number == 2:
        raise ValueError("diverged")
    return (x - 2) ** 2


def run_study(callback: object, name: str) -> optuna.Study:
    study = optuna.create_study(study_name=name)
    for x, kind in ((3.0, "a"), (0.0, "b"), (1.0, "a")):
        study.enqueue_trial({"x": x, "kind": kind})
    study.optimize(objective, n_trials=3, callbacks=[callback], catch=(ValueError,))
    return study


def test_one_job_per_trial_with_params_objective_and_state(client: Client, project: str) -> None:
    from atlas.integrations.optuna import AtlasOptunaCallback

    study = run_study(AtlasOptunaCallback(project=project, tags={"team": "vision"}), "toy")

    jobs = {job.name: job for job in client.list_jobs(project).items}
    assert sorted(jobs) == ["toy-0", "toy-1", "toy-2"]
    assert client.list_jobs(project, filter='tags.optuna.study = "toy"').total == 3
    done, pruned, failed = jobs["toy-0"], jobs["toy-1"], jobs["toy-2"]
    assert done.params == {"x": 3.0, "kind": "a"}
    assert done.tags == {
        "team": "vision",
        "optuna.study": "toy",
        "optuna.trial": "0",
        "optuna.state": "complete",
    }
    assert (done.status, done.exit_code) == (JobStatus.COMPLETED, 0)
    assert done.metrics["value"].last == 1.0 == study.trials[0].value
    series = client.get_metric(done.id, "intermediate_value")
    assert (series.steps, series.values) == ([0, 1, 2], [4.0, 3.0, 2.0])
    assert done.started_at == study.trials[0].datetime_start.astimezone()
    assert done.finished_at == study.trials[0].datetime_complete.astimezone()

    assert pruned.status == JobStatus.CANCELLED
    assert pruned.error is not None
    assert pruned.error.type == "pruned"
    assert pruned.metrics["value"].last == 6.0 == study.trials[1].value  # Optuna's: the last report
    assert client.get_metric(pruned.id, "intermediate_value").steps == [0, 1]
    assert pruned.tags["optuna.state"] == "pruned"

    assert failed.status == JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.type == "failed"
    assert failed.tags["optuna.state"] == "fail"


def test_inside_a_job_the_trials_go_to_its_project_and_leave_it_alone(
    client: Client, project: str
) -> None:
    from atlas.integrations.optuna import AtlasOptunaCallback

    def two_objectives(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return x, 1 - x

    with atlas.init(project=project, name="study") as parent:
        study = optuna.create_study(study_name="pareto", directions=["minimize", "minimize"])
        callback = AtlasOptunaCallback(metric_name=["cost", "error"])
        study.optimize(two_objectives, n_trials=2, callbacks=[callback])
        assert atlas.current_job() is parent
    trials = [job for job in client.list_jobs(project).items if job.id != parent.id]
    assert sorted(job.name for job in trials) == ["pareto-0", "pareto-1"]
    for job in trials:
        assert job.tags["optuna.parent"] == parent.id
        assert job.metrics["cost"].last + job.metrics["error"].last == pytest.approx(1.0)
    assert client.get_job(parent.id).params == {}
    assert client.get_job(parent.id).status == JobStatus.COMPLETED


def test_a_server_that_cannot_take_a_trial_does_not_stop_the_study(
    client: Client, project: str, caplog: pytest.LogCaptureFixture
) -> None:
    from atlas.integrations.optuna import AtlasOptunaCallback

    nowhere = Client(f"http://127.0.0.1:{free_port()}", token="", timeout=1.0)
    callback = AtlasOptunaCallback(project=project, client=nowhere)
    study = optuna.create_study(study_name="offline")
    study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=2, callbacks=[callback])
    assert len(study.trials) == 2
    assert "trial 1 of study 'offline' not recorded" in caplog.text


def test_metric_names_that_do_not_match_the_objectives_are_refused(project: str) -> None:
    from atlas.integrations.optuna import AtlasOptunaCallback

    callback = AtlasOptunaCallback(project=project, metric_name=["a", "b"])
    study = optuna.create_study(study_name="wrong")
    with pytest.raises(ValueError, match="metric_name names 2 objectives, the study has 1"):
        study.optimize(
            lambda trial: trial.suggest_float("x", 0, 1), n_trials=1, callbacks=[callback]
        )
