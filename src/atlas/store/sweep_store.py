"""The sweeps half of ``SqlStore``: sweeps and their trials (docs/sweeps.md).

``SqlSweeps`` opens the transactions; the work is done by ``atlas.store.sweeps``. A trial's
row is written with its job by ``SqlStore.submit_job`` (one transaction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atlas.domain import Sweep, SweepError, SweepStatus, Trial, TrialState
from atlas.store import sweeps
from atlas.store.account_store import SqlAccounts

__all__ = ["SqlSweeps"]


class SqlSweeps(SqlAccounts):
    """Sweeps on the database of ``_engine`` (see ``Store`` for each method's contract)."""

    def create_sweep(
        self,
        *,
        project: str,
        name: str,
        user: str,
        spec: Mapping[str, object],
        snapshot: str | None,
        trials: int,
        parallel: int,
    ) -> Sweep:
        """Create a running sweep (its project too when missing)."""
        with self._write() as conn:
            sweep_id = sweeps.insert_sweep(
                conn,
                project=project,
                name=name,
                user=user,
                spec=spec,
                snapshot=snapshot,
                trials=trials,
                parallel=parallel,
            )
            return sweeps.get_sweep(conn, sweep_id)

    def get_sweep(self, sweep_id: str) -> Sweep:
        """The sweep with its trial counts."""
        with self._read() as conn:
            return sweeps.get_sweep(conn, sweep_id)

    def list_sweeps(self, project: str) -> list[Sweep]:
        """The project's sweeps, newest first."""
        with self._read() as conn:
            return sweeps.list_sweeps(conn, project)

    def list_sweep_ids(self, status: SweepStatus) -> list[str]:
        """The ids of the sweeps in ``status``, oldest first."""
        with self._read() as conn:
            return sweeps.sweep_ids(conn, status)

    def update_sweep(
        self,
        sweep_id: str,
        *,
        status: SweepStatus | None = None,
        error: SweepError | None = None,
        clear_error: bool = False,
        trials: int | None = None,
    ) -> Sweep:
        """Change a sweep's status, error or trial budget."""
        with self._write() as conn:
            sweeps.update_sweep(
                conn, sweep_id, status=status, error=error, clear_error=clear_error, trials=trials
            )
            return sweeps.get_sweep(conn, sweep_id)

    def list_trials(self, sweep_id: str) -> list[Trial]:
        """The sweep's trials by number."""
        with self._read() as conn:
            return sweeps.list_trials(conn, sweep_id)

    def finish_trial(
        self,
        sweep_id: str,
        number: int,
        *,
        state: TrialState,
        values: Sequence[float] | None = None,
        pruned_step: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a running trial ended (a trial already ended stays as it is)."""
        with self._write() as conn:
            sweeps.finish_trial(
                conn,
                sweep_id,
                number,
                state=state,
                values=values,
                pruned_step=pruned_step,
                error=error,
            )

    def save_system_attrs(
        self,
        sweep_id: str,
        number: int,
        *,
        trial_attrs: Mapping[str, object],
        study_attrs: Mapping[str, object],
    ) -> None:
        """Store the Optuna system attributes of a trial and of its sweep's study."""
        with self._write() as conn:
            sweeps.save_system_attrs(
                conn, sweep_id, number, trial_attrs=trial_attrs, study_attrs=study_attrs
            )
