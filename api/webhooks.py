"""Webhooks: subscribe, list, unsubscribe; each subscription's deliveries, and redelivery."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api import schemas
from api.auth import roles
from api.db import db
from api.errors import ApiError, not_found
from api.operations import operation
from api.pagination import page
from api.writes import write
from models import Webhook, WebhookAttempt, WebhookDelivery, utcnow
from workers import signing
from workers.deliveries import redeliver
from workers.resources import z

bp = Blueprint("webhooks", __name__)


def render(webhook: Webhook) -> dict[str, Any]:
    return {"id": str(webhook.id), "url": webhook.url, "events": webhook.events,
            "status": "disabled" if webhook.disabled_at else "active",
            "created_at": z(webhook.created_at), "disabled_at": z(webhook.disabled_at),
            "disabled_reason": webhook.disabled_reason}


def render_deliveries(session: Session, rows: list[WebhookDelivery]) -> list[dict[str, Any]]:
    attempts: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for attempt in session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_([d.id for d in rows]))
            .order_by(WebhookAttempt.at, WebhookAttempt.id)):
        attempts[attempt.delivery_id].append({
            "at": z(attempt.at), "status_code": attempt.status_code,
            "latency_ms": attempt.latency_ms, "error": attempt.error})
    return [{"id": str(d.id), "type": d.type, "status": d.status, "created_at": z(d.created_at),
             "next_attempt_at": z(d.next_attempt_at), "attempts": attempts[d.id]} for d in rows]


def _webhook(webhook_id: str) -> Webhook:
    ident = schemas.parse_id(webhook_id)
    webhook = db().get(Webhook, ident) if ident else None
    if webhook is None:
        raise not_found("webhook", webhook_id)
    return webhook


def _delivery(webhook: Webhook, delivery_id: str) -> WebhookDelivery:
    ident = schemas.parse_id(delivery_id)
    delivery = db().get(WebhookDelivery, ident) if ident else None
    if delivery is None or delivery.webhook_id != webhook.id:
        raise not_found("delivery", delivery_id)
    return delivery


@bp.post("/webhooks")
@roles("admin")
@write
@operation("Subscribe a URL to events; the answer holds the signing secret, shown only here",
           tag="webhooks", body=schemas.WebhookIn, responses={201: schemas.WebhookCreated})
def create_webhook(body: schemas.WebhookIn) -> Response:
    webhook = Webhook(id=uuid.uuid4(), url=body.url, events=list(body.events),
                      secret=signing.new_secret(), created_at=utcnow())
    db().add(webhook)
    db().flush()
    response = jsonify({**render(webhook), "secret": webhook.secret})
    response.status_code = 201
    response.headers["Location"] = f"/v1/webhooks/{webhook.id}"
    return response


@bp.get("/webhooks")
@roles("admin")
@operation("List webhook subscriptions", tag="webhooks", query=schemas.Page,
           responses={200: schemas.Webhooks})
def list_webhooks(query: schemas.Page) -> Response:
    items, nxt = page(db(), select(Webhook), order=Webhook.created_at, ident=Webhook.id,
                      limit=query.limit, cursor=query.cursor, render=render)
    return jsonify({"webhooks": items, "next": nxt})


@bp.get("/webhooks/<webhook_id>")
@roles("admin")
@operation("Get a webhook subscription", tag="webhooks", responses={200: schemas.Webhook})
def get_webhook(webhook_id: str) -> Response:
    return jsonify(render(_webhook(webhook_id)))


@bp.delete("/webhooks/<webhook_id>")
@roles("admin")
@write
@operation("Delete a subscription and its deliveries: nothing more is sent to it",
           tag="webhooks", responses={204: None})
def delete_webhook(webhook_id: str) -> Response:
    db().execute(delete(Webhook).where(Webhook.id == _webhook(webhook_id).id))
    return Response(status=204)


@bp.get("/webhooks/<webhook_id>/deliveries")
@roles("admin")
@operation("List a subscription's deliveries with their attempts", tag="webhooks",
           query=schemas.DeliveriesQuery, responses={200: schemas.Deliveries})
def list_deliveries(webhook_id: str, query: schemas.DeliveriesQuery) -> Response:
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == _webhook(webhook_id).id)
    if query.status:
        stmt = stmt.where(WebhookDelivery.status == query.status)
    rows, nxt = page(db(), stmt, order=WebhookDelivery.created_at, ident=WebhookDelivery.id,
                     limit=query.limit, cursor=query.cursor, render=lambda d: d)
    return jsonify({"deliveries": render_deliveries(db(), rows), "next": nxt})


@bp.get("/webhooks/<webhook_id>/deliveries/<delivery_id>")
@roles("admin")
@operation("Get a delivery with its attempts", tag="webhooks",
           responses={200: schemas.Delivery})
def get_delivery(webhook_id: str, delivery_id: str) -> Response:
    delivery = _delivery(_webhook(webhook_id), delivery_id)
    return jsonify(render_deliveries(db(), [delivery])[0])


@bp.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/retry")
@roles("admin")
@write
@operation("Send a delivery again now", tag="webhooks", responses={202: schemas.Delivery})
def retry_delivery(webhook_id: str, delivery_id: str) -> Response:
    webhook = _webhook(webhook_id)
    if webhook.disabled_at is not None:
        raise ApiError(409, f"webhook {webhook_id} is disabled ({webhook.disabled_reason}); "
                       "subscribe the URL again")
    delivery = _delivery(webhook, delivery_id)
    redeliver(db(), delivery)
    response = jsonify(render_deliveries(db(), [delivery])[0])
    response.status_code = 202
    response.headers["Location"] = f"/v1/webhooks/{webhook.id}/deliveries/{delivery.id}"
    return response
