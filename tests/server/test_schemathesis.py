"""schemathesis over the whole API: requests generated from the OpenAPI schema for every
operation (valid ones and invalid ones), sent through the real app (its lifespan, a real
SQLite file); no answer may be a server error or stray from the schema."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance

from atlas.server import create_app
from tests.server.conftest import API, settings_for

MAX_EXAMPLES = 25
"""Examples per operation and mode (valid, invalid): about two minutes on two cores."""


@pytest.fixture
def api_schema(tmp_path: Path, migrated_db: Path) -> Iterator[schemathesis.BaseSchema]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(migrated_db, home / "atlas.db")
    # schemathesis's client sends `Host: testserver`.
    settings = settings_for(home, cpus=1, gpus="", allowed_hosts="testserver")
    schemathesis.serializer.alias("application/gzip", "application/octet-stream")
    yield schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app(settings))
    shutdown_lifespans()


def runnable(command: object) -> bool:
    """Whether the server would take ``command`` as a command to run."""
    if isinstance(command, str):
        return True  # split like a shell would: anything may come out
    return (
        isinstance(command, list)
        and bool(command)
        and all(isinstance(arg, str) and arg and "\x00" not in arg for arg in command)
    )


def check(case: schemathesis.Case) -> None:
    if isinstance(case.body, dict) and runnable(case.body.get("command")):
        # A generated submission runs nothing random; a command the server would refuse
        # stays as it is (it may be what makes the request invalid).
        case.body["command"] = "true" if isinstance(case.body["command"], str) else ["true"]
    job = case.body.get("job") if isinstance(case.body, dict) else None
    if isinstance(job, dict) and runnable(job.get("command")):  # a recurring job's runs
        job["command"] = "true" if isinstance(job["command"], str) else ["true"]
    # Left out: "valid by the schema, so accepted". The schema cannot state every rule (no
    # NUL in nested values, nesting depth, sizes as JSON, references to existing jobs).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.mark.slow
def test_no_generated_request_fails_the_server(api_schema: schemathesis.BaseSchema) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,  # the same requests every run: a probe, not a flaky test
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                check(case)

            try:
                run()
            except Unsatisfiable:
                pass  # nothing invalid can be made for it (a bare string in the path)
            except (Exception, BaseExceptionGroup) as exc:  # all operations, all failures
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert failures == [], "\n\n".join(failures)
