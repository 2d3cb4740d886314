"""``atlas notify``: per-project rules that post a webhook or a Slack message when jobs reach
a status, a test message, and the delivery log (docs/notifications.md)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.formats import cell, dumps, format_time
from atlas.cli.tables import Column, render_table
from atlas.cli.toggles import add_toggle
from atlas.errors import AtlasError, InvalidInputError
from atlas.notifications import (
    NOTIFIED_STATUSES,
    Delivery,
    DeliveryStatus,
    NotificationRule,
    check_events,
)

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["deliveries_table", "notify_group", "parse_events", "rules_table"]

DEFAULT_EVENTS = "completed,failed,cancelled,lost"
TEST_WAIT_S = 15.0
"""How long `atlas notify test` waits for the receiver's answer (the send's own limit is
10 s)."""

_RULE_COLUMNS = (
    Column("ID"),
    Column("PROJECT", shrink=True, min_width=8),
    Column("ON"),
    Column("KIND"),
    Column("URL", shrink=True, min_width=16),
    Column("ENABLED"),
)
_LOG_COLUMNS = (
    Column("ID"),
    Column("TIME"),
    Column("JOB"),
    Column("EVENT"),
    Column("STATUS"),
    Column("TRIES", align="right"),
    Column("LAST ANSWER", shrink=True, min_width=12),
)


def parse_events(text: str) -> list[str]:
    """``failed,completed`` as a list of the statuses a rule follows, checked by the one
    check the server applies (``check_events``); ``click.BadParameter`` with its message."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    try:
        return [str(status) for status in check_events(words, field="--on")]
    except InvalidInputError as exc:
        raise click.BadParameter(exc.message) from None


def rules_table(rules: list[NotificationRule], *, width: int | None = None) -> str:
    """The ``notify ls`` table."""
    rows = [
        [
            r.id,
            cell(r.project),
            ",".join(r.events),
            str(r.kind),
            cell(r.url or ""),
            "yes" if r.enabled else "no",
        ]
        for r in rules
    ]
    return render_table(_RULE_COLUMNS, rows, width=width).text


def deliveries_table(items: list[Delivery], *, width: int | None = None) -> str:
    """The ``notify log`` table: newest first."""
    rows = []
    for d in items:
        answer = d.error or (f"HTTP {d.response_code}" if d.response_code else "")
        if d.status == DeliveryStatus.PENDING and d.next_attempt_at is not None and d.attempts:
            answer = f"{answer}; again at {format_time(d.next_attempt_at, seconds=True)}"
        rows.append(
            [
                d.id,
                format_time(d.created_at, seconds=True),
                d.job_id or "-",
                d.event,
                str(d.status),
                str(d.attempts),
                cell(answer),
            ]
        )
    return render_table(_LOG_COLUMNS, rows, width=width).text


@click.group("notify")
def notify_group() -> None:
    """Tell a webhook or Slack when jobs of a project change status."""


@notify_group.command("add")
@click.option("--project", "-p", required=True, help="The project whose jobs to follow.")
@click.option(
    "--on",
    "events",
    default=DEFAULT_EVENTS,
    show_default=True,
    metavar="STATUSES",
    help=f"Comma-separated job statuses to tell about: {', '.join(NOTIFIED_STATUSES)}.",
)
@click.option("--webhook", metavar="URL", help="POST a JSON description of the job here.")
@click.option("--slack", metavar="URL", help="A Slack incoming webhook's URL.")
@pass_cli
def notify_add(
    cli: CliContext, project: str, events: str, webhook: str | None, slack: str | None
) -> None:
    """Add a rule to a project: post to a webhook or Slack when its jobs reach a status.

    Prints the rule's id; `atlas notify test ID` sends it a test message.
    """
    wanted = parse_events(events)
    if (webhook is None) == (slack is None):
        raise click.UsageError("give one of --webhook URL or --slack URL")
    kind, url = ("webhook", webhook) if webhook is not None else ("slack", slack)
    assert url is not None
    with cli.client() as client:
        rule = client.add_notification(project, events=wanted, kind=kind, url=url)
    click.echo(rule.id)
    click.echo(f"Added a {kind} rule to project {project!r} on {', '.join(rule.events)}.", err=True)


@notify_group.command("ls")
@click.option("--project", "-p", help="Only this project's rules (default: every project's).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def notify_ls(cli: CliContext, project: str | None, as_json: bool) -> None:
    """List notification rules (their URLs cut to the host where you only view)."""
    with cli.client() as client:
        rules = _rules(client, project)
    if as_json:
        click.echo(dumps({"items": [_rule_json(r) for r in rules]}))
    elif not rules:
        click.echo("No notification rules. Add one with `atlas notify add`.", err=True)
    else:
        click.echo(rules_table(rules))


@notify_group.command("rm")
@click.argument("rule_id", metavar="ID")
@pass_cli
def notify_rm(cli: CliContext, rule_id: str) -> None:
    """Delete the rule ID and its delivery log."""
    with cli.client() as client:
        client.delete_notification(rule_id)
    click.echo(f"Deleted notification rule {rule_id}.", err=True)


def _switch(client: Client, rule_id: str, on: bool) -> str:
    client.update_notification(rule_id, enabled=on)
    return f"Notification rule {rule_id} is {'on' if on else 'off'}."


add_toggle(notify_group, "enable", on=True, switch=_switch, help="Turn the rule ID back on.")
add_toggle(
    notify_group,
    "disable",
    on=False,
    switch=_switch,
    help="Turn the rule ID off (its pending notifications are not sent).",
)


@notify_group.command("test")
@click.argument("rule_id", metavar="ID")
@pass_cli
def notify_test(cli: CliContext, rule_id: str) -> None:
    """Send a test message to the rule ID and say what its receiver answered.

    Exits with 1 when the receiver did not accept it.
    """
    with cli.client() as client:
        queued = client.test_notification(rule_id)
        found = _outcome(client, queued)
    if found.status == DeliveryStatus.DELIVERED:
        click.echo(f"Delivered (HTTP {found.response_code}).")
        return
    if found.attempts == 0:
        click.echo(f"Queued as {found.id}; see `atlas notify log -p {found.project}`.")
        return
    raise AtlasError(f"the receiver did not accept the test message: {found.error}")


@notify_group.command("log")
@click.option("--project", "-p", required=True, help="The project whose deliveries to show.")
@click.option("--rule", "rule_id", metavar="ID", help="Only this rule's deliveries.")
@click.option("--job", "job_id", metavar="ID", help="Only this job's deliveries.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def notify_log(
    cli: CliContext,
    project: str,
    rule_id: str | None,
    job_id: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show a project's delivery log, newest first: each notification, its status, its
    attempts and the receiver's last answer."""
    with cli.client() as client:
        page = client.list_deliveries(project, limit=limit, rule_id=rule_id, job_id=job_id)
    if as_json:
        items = [_delivery_json(d) for d in page.items]
        click.echo(dumps({"items": items, "total": page.total}))
    elif not page.items:
        click.echo(f"No notifications sent for project {project!r} yet.", err=True)
    else:
        click.echo(deliveries_table(page.items))


def _rules(client: Client, project: str | None) -> list[NotificationRule]:
    if project is not None:
        return client.list_notifications(project)
    return [rule for p in client.list_projects() for rule in client.list_notifications(p.name)]


def _outcome(client: Client, queued: Delivery) -> Delivery:
    """The test delivery once its first attempt is recorded (or as it is after a while)."""
    deadline = time.monotonic() + TEST_WAIT_S
    found = queued
    while found.attempts == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
        page = client.list_deliveries(queued.project, limit=20, rule_id=queued.rule_id)
        found = next((d for d in page.items if d.id == queued.id), found)
    return found


def _rule_json(rule: NotificationRule) -> dict[str, object]:
    return {
        "id": rule.id,
        "project": rule.project,
        "events": list(rule.events),
        "kind": str(rule.kind),
        "url": rule.url,
        "enabled": rule.enabled,
        "created_by": rule.created_by,
        "created_at": rule.created_at,
    }


def _delivery_json(d: Delivery) -> dict[str, object]:
    return {
        "id": d.id,
        "rule_id": d.rule_id,
        "job_id": d.job_id,
        "event": d.event,
        "kind": str(d.kind),
        "channel": d.channel,
        "status": str(d.status),
        "attempts": d.attempts,
        "created_at": d.created_at,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
        "response_code": d.response_code,
        "error": d.error,
        "payload": d.payload,
    }
