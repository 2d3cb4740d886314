"""Notification rules and their delivery log: ``/api/v1/projects/{name}/notifications``,
``/api/v1/notifications/{notification_id}`` and the project's
``/notifications/deliveries`` (docs/notifications.md). A project's members read them (a
rule's URL cut to its host below editor: it often holds the receiver's secret); its editors
add, change, test and delete rules, each change in the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from atlas.domain import Role
from atlas.notifications import NotificationRule, check_notify_url
from atlas.server.auth.access import (
    Caller,
    NotificationEditor,
    NotificationViewer,
    ProjectEditor,
    ProjectViewer,
)
from atlas.server.deps import ProjectPath, StoreDep, path_id
from atlas.server.notification_schemas import (
    DeliveryOut,
    DeliveryPageOut,
    NotificationRuleCreate,
    NotificationRuleListOut,
    NotificationRuleOut,
    NotificationRuleUpdate,
)
from atlas.store.notifications import MAX_DELIVERIES_PAGE

__all__ = ["router"]

router = APIRouter(tags=["notifications"])


RuleIdPath = Annotated[str, Depends(path_id("notification_id", "notification rule"))]


def _author(caller: Caller) -> str:
    return caller.principal.actor if caller.auth else "local"


def _out(rule: NotificationRule, caller: Caller) -> NotificationRuleOut:
    show = caller.role is None or caller.role.allows(Role.EDITOR)
    return NotificationRuleOut.from_domain(rule, show_url=show)


@router.get("/projects/{name}/notifications")
async def list_rules(
    caller: ProjectViewer, name: ProjectPath, store: StoreDep
) -> NotificationRuleListOut:
    """The project's notification rules, oldest first."""
    found = await run_in_threadpool(store.list_notification_rules, name)
    return NotificationRuleListOut(items=[_out(rule, caller) for rule in found])


@router.post("/projects/{name}/notifications", status_code=201)
async def create_rule(
    caller: ProjectEditor, name: ProjectPath, body: NotificationRuleCreate, store: StoreDep
) -> NotificationRuleOut:
    """Add a rule: post to ``url`` when a job of the project reaches one of ``events``.
    422 ``invalid_input`` for a URL that is not http(s) (at most 2,000 characters)."""
    url = check_notify_url(body.url)
    rule = await run_in_threadpool(
        lambda: store.create_notification_rule(
            name, events=body.events, kind=body.kind, url=url, user=_author(caller)
        )
    )
    return _out(rule, caller)


@router.get("/projects/{name}/notifications/deliveries")
async def list_deliveries(
    caller: ProjectViewer,
    name: ProjectPath,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_DELIVERIES_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    rule: Annotated[str | None, Query(description="only this rule's", max_length=32)] = None,
    job: Annotated[str | None, Query(description="only this job's", max_length=32)] = None,
) -> DeliveryPageOut:
    """The project's delivery log, newest first: each notification, its status, attempts
    and the last attempt's HTTP status or error."""
    page = await run_in_threadpool(
        lambda: store.list_deliveries(name, limit=limit, offset=offset, rule_id=rule, job_id=job)
    )
    return DeliveryPageOut(
        items=[DeliveryOut.from_domain(item) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/notifications/{notification_id}")
async def get_rule(
    caller: NotificationViewer, notification_id: RuleIdPath, store: StoreDep
) -> NotificationRuleOut:
    """The rule; 404 ``not_found``."""
    return _out(await run_in_threadpool(store.get_notification_rule, notification_id), caller)


@router.patch("/notifications/{notification_id}")
async def update_rule(
    caller: NotificationEditor,
    notification_id: RuleIdPath,
    body: NotificationRuleUpdate,
    store: StoreDep,
) -> NotificationRuleOut:
    """Turn the rule on or off, or replace its events."""
    rule = await run_in_threadpool(
        lambda: store.update_notification_rule(
            notification_id, enabled=body.enabled, events=body.events
        )
    )
    return _out(rule, caller)


@router.delete("/notifications/{notification_id}", status_code=204)
async def delete_rule(
    caller: NotificationEditor, notification_id: RuleIdPath, store: StoreDep
) -> Response:
    """Delete the rule and its deliveries."""
    await run_in_threadpool(store.delete_notification_rule, notification_id)
    return Response(status_code=204)


@router.post("/notifications/{notification_id}/test", status_code=202)
async def test_rule(
    caller: NotificationEditor, notification_id: RuleIdPath, store: StoreDep
) -> DeliveryOut:
    """Send a test message to the rule's URL (even while the rule is off): the answer is
    the queued delivery; read it back in the log to see what the receiver said."""
    delivery = await run_in_threadpool(
        lambda: store.enqueue_test_notification(notification_id, user=_author(caller))
    )
    return DeliveryOut.from_domain(delivery)
