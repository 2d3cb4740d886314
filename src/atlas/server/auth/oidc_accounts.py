"""What a single sign-on login does to Atlas's accounts (docs/auth.md, "Single sign-on"):
the user an ID token names, created at their first login, and the roles the provider's
groups give them through the ``oidc_role_map`` setting, applied at every login.

- A user is bound to one provider account (the ID token's ``iss`` and ``sub``) at their
  first login, and found by it at every later one, whatever the name claim says then.
- The user name, at the first login, is the ``oidc_username_claim`` claim (``sub`` when it
  is missing), trimmed and otherwise taken as it is: a name that breaks the user-name rule
  is refused rather than changed (two provider accounts whose names differ must never
  become one Atlas user), as is the name of a user who logs in with a password here or of
  a user bound to another provider account (a name the provider gave to someone else).
- ``GROUP=admin``: the group's members are instance admins. When the map names an admin
  group, it decides at every login whether a single sign-on user is an admin: a user who
  left the group stops being one (unless they are the last admin). Without an admin group
  the flag is left to the admins (``PATCH /users``).
- ``GROUP=PROJECT:ROLE``: the group's members have at least ROLE in PROJECT (a higher role
  given by hand is kept; the map never lowers or removes a role). A project that does not
  exist is skipped, with a log line: the map does not create projects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from atlas.domain import Role, User
from atlas.errors import ConflictError, InvalidInputError, NotFoundError
from atlas.names import invalid, is_project_name, is_storable, is_user_name
from atlas.server.auth.oidc import SsoLoginError
from atlas.store.api import Store
from atlas.store.tables import MAX_DISPLAY_NAME_LENGTH, MAX_EMAIL_LENGTH

__all__ = ["RoleMap", "groups_of", "parse_role_map", "sign_in", "subject_of", "user_name_of"]

logger = logging.getLogger(__name__)

_FIELD = "oidc_role_map"
_ROLES = {role.value: role for role in Role}


@dataclass(frozen=True, slots=True)
class RoleMap:
    """The ``oidc_role_map`` setting, parsed: the admin groups, and ``(group, project,
    role)`` grants. Groups are compared without a leading ``/`` (Keycloak's full paths)."""

    admin_groups: frozenset[str] = frozenset()
    grants: tuple[tuple[str, str, Role], ...] = ()

    @property
    def grants_admin(self) -> bool:
        """Whether some group makes its members instance admins."""
        return bool(self.admin_groups)

    def is_admin(self, groups: Iterable[str]) -> bool:
        """Whether one of ``groups`` is an admin group."""
        return not self.admin_groups.isdisjoint(_group(name) for name in groups)

    def project_roles(self, groups: Iterable[str]) -> dict[str, Role]:
        """The highest role ``groups`` give in each project named by the map."""
        have = {_group(name) for name in groups}
        roles: dict[str, Role] = {}
        for group, project, role in self.grants:
            best = roles.get(project)
            if group in have and (best is None or role.allows(best)):
                roles[project] = role
        return roles


def parse_role_map(text: str | None) -> RoleMap:
    """Parse ``GROUP=admin; GROUP=PROJECT:ROLE; ...`` (see the module docstring);
    ``InvalidInputError`` naming the entry that is wrong and why."""
    admins: set[str] = set()
    grants: list[tuple[str, str, Role]] = []
    for number, entry in enumerate((text or "").replace("\n", ";").split(";"), start=1):
        entry = entry.strip()
        if not entry:
            continue
        group, equals, target = (part.strip() for part in entry.rpartition("="))
        where = f"oidc_role_map entry {number} ({entry[:100]!r})"
        if not equals or not group:
            raise invalid(_FIELD, f"{where}: write GROUP=admin or GROUP=PROJECT:ROLE")
        if target == "admin":
            admins.add(_group(group))
            continue
        project, colon, role_name = (part.strip() for part in target.rpartition(":"))
        if not colon or not is_project_name(project):
            raise invalid(
                _FIELD,
                f"{where}: {target!r} is neither `admin` nor PROJECT:ROLE with a "
                "valid project name",
            )
        role = _ROLES.get(role_name)
        if role is None:
            raise invalid(
                _FIELD, f"{where}: the role must be viewer, editor or owner, not {role_name!r}"
            )
        grants.append((_group(group), project, role))
    return RoleMap(frozenset(admins), tuple(grants))


def user_name_of(claims: Mapping[str, Any], claim: str) -> str:
    """The Atlas user name the ID token's ``claims`` name (see the module docstring);
    :class:`SsoLoginError` when none can be made of them."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        value = claims.get("sub")
    if not isinstance(value, str):
        raise SsoLoginError(f"the ID token has neither a {claim!r} claim nor a sub")
    name = value.strip()
    if not is_user_name(name):
        raise SsoLoginError(f"{name[:100]!r} (claim {claim!r}) cannot be an Atlas user name")
    return name


def groups_of(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The groups the ID token's ``claim`` lists (a list of strings, or one string)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def sign_in(
    store: Store,
    claims: Mapping[str, Any],
    *,
    role_map: RoleMap,
    username_claim: str,
    groups_claim: str,
) -> User:
    """The user the ID token's ``claims`` name, created at their first login, with their
    name, e-mail and roles brought up to date (blocking). :class:`SsoLoginError` for a name
    that cannot be mapped, a user who logs in with a password here, or a disabled user."""
    subject = subject_of(claims)
    display_name = _text(claims.get("name"), MAX_DISPLAY_NAME_LENGTH)
    email = _text(claims.get("email"), MAX_EMAIL_LENGTH)
    user = store.user_by_subject(subject)
    if user is None:
        name = user_name_of(claims, username_claim)
        user = _find_or_create(store, name, subject, display_name=display_name, email=email)
    name = user.name
    if user.disabled:
        raise SsoLoginError(f"user {name!r} is disabled", user=name)
    groups = groups_of(claims, groups_claim)
    admin = role_map.is_admin(groups) if role_map.grants_admin else None
    user = _update(store, user, display_name=display_name, email=email, admin=admin)
    for project, role in role_map.project_roles(groups).items():
        _grant(store, name, project, role)
    return user


def _find_or_create(
    store: Store, name: str, subject: str, *, display_name: str, email: str
) -> User:
    """The user ``name`` bound to ``subject``: made and bound at their first login; a
    single sign-on user of that name not bound yet (made before accounts were recorded) is
    bound now. ``SsoLoginError`` when the name is another provider account's user."""
    try:
        user = store.get_user(name)
    except NotFoundError:
        try:
            user = store.create_user(
                name, password_hash=None, source="oidc", display_name=display_name, email=email
            )
            logger.info("single sign-on created user %s", name)
        except ConflictError:  # made by a login of the same user at the same moment
            user = store.get_user(name)
    if user.source != "oidc":
        raise SsoLoginError(
            f"user {name!r} logs in with a password here, not single sign-on", user=name
        )
    try:
        store.bind_subject(name, subject)
    except ConflictError:
        raise SsoLoginError(
            f"user {name!r} belongs to another account of the identity provider (a user is "
            "bound to the account that first logged in under its name)",
            user=name,
        ) from None
    return user


def subject_of(claims: Mapping[str, Any]) -> str:
    """The provider account an ID token names: its issuer and ``sub``, which never change
    (unlike a user name claim, which a provider may give to someone else later)."""
    issuer, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not isinstance(sub, str) or not issuer or not sub:
        raise SsoLoginError("the ID token lacks its iss or sub claim")
    return f"{issuer} {sub}"


def _update(store: Store, user: User, *, display_name: str, email: str, admin: bool | None) -> User:
    changes: dict[str, Any] = {}
    if display_name and display_name != user.display_name:
        changes["display_name"] = display_name
    if email and email != user.email:
        changes["email"] = email
    if admin is not None and admin != user.admin:
        changes["admin"] = admin
    if not changes:
        return user
    try:
        updated = store.update_user(user.name, **changes)
    except ConflictError:  # the last admin leaving the admin group stays an admin
        logger.warning("user %s left the admin group but is the last admin: kept", user.name)
        del changes["admin"]
        updated = store.update_user(user.name, **changes) if changes else user
    if "admin" in changes:
        logger.info(
            "single sign-on made user %s %s", user.name, "an admin" if admin else "no admin"
        )
    return updated


def _grant(store: Store, name: str, project: str, role: Role) -> None:
    current = store.project_role(project, name)
    if current is not None and current.allows(role):
        return
    try:
        store.set_member(project, name, role)
    except NotFoundError:
        logger.info(
            "single sign-on: project %s of the role map does not exist; %s not made its %s",
            project,
            name,
            role,
        )
        return
    except (ConflictError, InvalidInputError) as error:
        logger.warning("single sign-on: %s not made %s of %s: %s", name, role, project, error)
        return
    logger.info("single sign-on made user %s %s of project %s", name, role, project)


def _group(name: str) -> str:
    return name.strip().removeprefix("/")


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or not is_storable(value) or not value.isprintable():
        return ""
    return value.strip()[:limit]
