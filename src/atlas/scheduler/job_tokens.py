"""Job tokens: the credential a scheduled job's process gets on a server with
authentication on (``ATLAS_TOKEN``).

Each launch makes a new token that reads the job's project and writes the job; the store
revokes it in the transaction that moves the job to a final status, and deletes it with the
job. Only its digest is stored; the secret goes to the executor alone (the job's control
files, readable by the server's user only), never to the job's log, params or recorded
environment.
"""

from __future__ import annotations

from atlas.domain import Job
from atlas.errors import NotFoundError
from atlas.store.api import Store
from atlas.tokens import new_secret

__all__ = ["mint_job_token"]


def mint_job_token(store: Store, job: Job) -> str:
    """Store a new token of ``job`` and return its secret. It acts for the job's user when
    they have an account on this server (``job.user`` names one), else for no user."""
    owner: str | None = job.user or None
    if owner is not None:
        try:
            store.get_user(owner)
        except NotFoundError:
            owner = None
    secret = new_secret()
    store.create_token(
        token_id=secret.id, digest=secret.digest, name=f"job {job.id}", user=owner, job_id=job.id
    )
    return secret.secret
