"""The parts of authentication on their own: the login throttle, what a principal's role
becomes under a scoped token, password hashes, and the app's refusal of an undeclared
route."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter

from atlas.domain import Role
from atlas.errors import InvalidInputError, TooManyAttemptsError
from atlas.server import create_app
from atlas.server.auth.access import Declaration, Need, Of, check_declared
from atlas.server.auth.passwords import hash_password, verify_password
from atlas.server.auth.principal import Principal, PrincipalKind
from atlas.server.auth.throttle import PER_ADDRESS, PER_USER, WINDOW, LoginThrottle
from atlas.settings import Settings


def test_the_throttle_stops_a_user_name_after_its_failures_until_the_window_passes() -> None:
    throttle = LoginThrottle()
    for attempt in range(PER_USER):
        throttle.check("ada", f"10.0.0.{attempt}", now=100.0)
        throttle.failed("ada", f"10.0.0.{attempt}", now=100.0)
    with pytest.raises(TooManyAttemptsError) as refused:
        throttle.check("ADA", "10.9.9.9", now=101.0)  # names are counted case-blind
    assert refused.value.detail["retry_after"] == int(WINDOW - 1) + 1
    throttle.check("grace", "10.9.9.9", now=101.0)  # another user is not held back
    throttle.check("ada", "10.9.9.9", now=100.0 + WINDOW + 0.1)  # the window has passed


def test_the_throttle_stops_an_address_that_tries_many_names() -> None:
    throttle = LoginThrottle()
    for attempt in range(PER_ADDRESS):
        throttle.failed(f"user{attempt}", "10.0.0.1", now=5.0)
    with pytest.raises(TooManyAttemptsError):
        throttle.check("someone-new", "10.0.0.1", now=6.0)
    throttle.check("someone-new", "10.0.0.2", now=6.0)


def test_a_success_clears_the_user_names_failures() -> None:
    throttle = LoginThrottle()
    for _ in range(PER_USER - 1):
        throttle.failed("ada", "10.0.0.1", now=1.0)
    throttle.succeeded("ada")
    throttle.failed("ada", "10.0.0.1", now=2.0)
    throttle.check("ada", "10.0.0.1", now=3.0)


def test_roles_under_admins_scoped_tokens_and_job_tokens() -> None:
    person = Principal(PrincipalKind.TOKEN, user="ada")
    assert person.bound("vision", Role.EDITOR) is Role.EDITOR
    assert person.bound("vision", None) is None
    admin = Principal(PrincipalKind.SESSION, user="root", admin=True)
    assert admin.bound("anything", None) is Role.OWNER
    scoped = Principal(PrincipalKind.TOKEN, user="ada", project="vision", role=Role.VIEWER)
    assert scoped.bound("vision", Role.OWNER) is Role.VIEWER  # the token's limit wins
    assert scoped.bound("audio", Role.OWNER) is None  # and only its project
    wide = Principal(PrincipalKind.TOKEN, user="ada", project="vision", role=Role.OWNER)
    assert wide.bound("vision", Role.VIEWER) is Role.VIEWER  # never above the user's own
    job = Principal(PrincipalKind.JOB, job_id="j" * 16, project="vision", role=Role.VIEWER)
    assert job.bound("vision", None) is Role.VIEWER
    assert job.bound("audio", Role.OWNER) is None
    assert Principal(PrincipalKind.ANONYMOUS).bound("vision", Role.OWNER) is None


def test_passwords_are_hashed_and_checked() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "correct horsE")
    assert not verify_password(None, "correct horse")  # no such user: never a match
    assert not verify_password("not a hash", "correct horse")
    assert not verify_password(hashed, "correct horse" + "x" * 2000)  # too long: no match
    with pytest.raises(InvalidInputError, match="8 to 1024 characters"):
        hash_password("short")


def test_a_role_needs_a_project_and_only_a_role_does() -> None:
    with pytest.raises(ValueError, match="project source"):
        Declaration(Need.EDITOR)
    with pytest.raises(ValueError, match="project source"):
        Declaration(Need.ADMIN, Of.JOB)


def test_the_app_refuses_a_route_without_an_access_declaration(tmp_path: Path) -> None:
    app = create_app(Settings(home=str(tmp_path)))
    check_declared(app)  # every shipped route declares its access
    stray = APIRouter()

    @stray.get("/api/v1/stray")
    def stray_route() -> dict[str, str]:
        return {}

    app.include_router(stray)
    with pytest.raises(RuntimeError, match=r"routes without one access declaration: \['GET'\]"):
        check_declared(app)
