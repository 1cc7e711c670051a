"""Process probes: /healthz (the process is up), /readyz (database reachable, lag bounded)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.errors import Unavailable
from api.http import Blueprint
from api.service import service

blp = Blueprint("health", __name__, description="Process probes (no credential needed)")


class Health(ma.Schema):
    status = fields.String(required=True)


class Ready(ma.Schema):
    status = fields.String(required=True)
    mode = fields.String(required=True)
    head = fields.Integer(required=True)
    views = fields.Integer(required=True)
    lag = fields.Integer(required=True)


@blp.route("/healthz", methods=["GET"])
@blp.response(200, Health)
def healthz() -> dict[str, object]:
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, Ready)
def readyz() -> dict[str, object]:
    """The database answers, the views lag the log by at most the configured bound, the
    sealer raises no alarm (a tampered or restored log) and the embedded writer runs."""
    svc = service()
    head = svc.read.follower.head()
    views = min(svc.read.follower.positions().values())
    lag = head - views
    alarm = svc.audit.sealer.alarm()
    if alarm is not None:
        raise Unavailable(f"audit alarm: {alarm.describe()}", retry_after=60)
    writer = svc.read.group
    if writer is not None and writer.stopped is not None:
        # Commands are refused (503) until the process is restarted; reads still work.
        raise Unavailable(f"the embedded writer has stopped ({writer.stopped})", retry_after=5)
    if lag > svc.settings.ready_max_lag:
        raise Unavailable(f"the views lag the log by {lag} events", retry_after=5)
    return {"status": "ready", "mode": svc.settings.mode, "head": head, "views": views, "lag": lag}
