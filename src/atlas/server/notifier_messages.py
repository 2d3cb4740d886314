"""What a notification says, by target (docs/notifications.md, "Payloads"): the JSON a
webhook receives, and the message (text and Block Kit blocks) a Slack incoming webhook or
Slack's ``chat.postMessage`` receives. Built at send time from the event the outbox stored
(what the job was when its status changed) and the server's public address."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from atlas.notifications import Delivery, NotifyTarget

__all__ = ["SLACK_TEXT_LIMIT", "job_url", "render", "slack_message", "webhook_body"]

SLACK_TEXT_LIMIT = 3000
"""Most characters of one Slack text block (Slack refuses longer)."""

_ICONS = {
    "running": ":arrow_forward:",
    "completed": ":white_check_mark:",
    "failed": ":x:",
    "cancelled": ":no_entry_sign:",
    "lost": ":grey_question:",
    "test": ":bell:",
}


def job_url(base_url: str, job: Mapping[str, object]) -> str:
    """The job's page in the GUI on the server at ``base_url``."""
    return base_url.rstrip("/") + str(job.get("path") or f"/jobs/{job.get('id')}")


def webhook_body(delivery: Delivery, *, base_url: str, sent_at: datetime) -> dict[str, object]:
    """``{event, job: {id, name, project, user, kind, status, started_at, finished_at,
    duration_s, exit_code, error, url}, project, sent_at}`` (``job`` null for a test, which
    carries a ``message``)."""
    payload = dict(delivery.payload)
    job = payload.get("job")
    if isinstance(job, Mapping):
        shown = {key: value for key, value in job.items() if key != "path"}
        shown["url"] = job_url(base_url, job)
        payload["job"] = shown
    payload["sent_at"] = sent_at.isoformat()
    return payload


def slack_message(delivery: Delivery, *, base_url: str) -> dict[str, object]:
    """``{text, blocks}``: one line of text (what notifications show) and blocks with the
    job's user, duration, exit code and error."""
    payload = delivery.payload
    icon = _ICONS.get(delivery.event, ":bell:")
    job = payload.get("job")
    if not isinstance(job, Mapping):
        text = f"{icon} {payload.get('message') or 'A test notification from Atlas.'}"
        return {"text": text, "blocks": [_section(text)]}
    url = job_url(base_url, job)
    label = str(job.get("name") or job.get("id"))
    project = _escape(str(payload.get("project", "")))
    text = f"{icon} Job {_escape(label)} in {project} {delivery.event}"
    headline = f"{icon} Job <{url}|{_escape(label)}> in *{project}* {delivery.event}"
    facts = [f"user: {_escape(str(job.get('user') or '-'))}"]
    if job.get("duration_s") is not None:
        facts.append(f"duration: {_duration(float(str(job['duration_s'])))}")
    if job.get("exit_code") is not None:
        facts.append(f"exit code: {job['exit_code']}")
    blocks: list[dict[str, object]] = [
        _section(headline),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(facts)}]},
    ]
    error = job.get("error")
    if isinstance(error, Mapping):
        said = f"{error.get('type') or 'Error'}: {error.get('message') or ''}"
        blocks.append(_section(f"```{_code(said)[: SLACK_TEXT_LIMIT - 10]}```"))
    return {"text": text, "blocks": blocks}


def render(delivery: Delivery, *, base_url: str, sent_at: datetime) -> dict[str, object]:
    """The JSON body a delivery of its kind posts (without ``channel`` for ``slack_api``)."""
    if delivery.kind == NotifyTarget.WEBHOOK:
        return webhook_body(delivery, base_url=base_url, sent_at=sent_at)
    return slack_message(delivery, base_url=base_url)


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_LIMIT]}}


def _escape(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally (``&``, ``<`` and ``>`` escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """``text`` for the inside of a Slack code block: escaped, and with its backticks shown
    as U+02CB, the modifier letter grave accent (three backticks in an error message
    would end the block early)."""
    return _escape(text).replace("`", "\u02cb")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
