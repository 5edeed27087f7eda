"""Webhooks: subscribe, list, unsubscribe; each subscription's deliveries, and redelivery."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from api import schemas
from api.answers import created
from api.auth import roles
from api.db import db, runtime
from api.endpoint import endpoint
from api.pagination import answer, each, page
from api.writes import write
from models import Webhook, WebhookDelivery
from workers import webhooks
from workers.lookup import get_or_404
from workers.resources import z

bp = Blueprint("webhooks", __name__)


def render(webhook: Webhook) -> dict[str, Any]:
    return {"id": str(webhook.id), "url": webhook.url, "events": webhook.events,
            "status": "disabled" if webhook.disabled_at else "active",
            "created_at": z(webhook.created_at), "disabled_at": z(webhook.disabled_at),
            "disabled_reason": webhook.disabled_reason}


def _webhook(webhook_id: str) -> Webhook:
    return get_or_404(db(), Webhook, webhook_id, "webhook")


@bp.post("/webhooks")
@roles("admin")
@write
@endpoint("Subscribe a URL to events; the answer holds the signing secret, shown only here",
          tag="webhooks", body=schemas.WebhookIn, responses={201: schemas.WebhookCreated})
def create_webhook(body: schemas.WebhookIn) -> Response:
    webhook = webhooks.subscribe(db(), body.url, list(body.events), runtime().clock.now())
    return created({**render(webhook), "secret": webhook.secret}, f"/v1/webhooks/{webhook.id}")


@bp.get("/webhooks")
@roles("admin")
@endpoint("List webhook subscriptions", tag="webhooks", query=schemas.Page,
          responses={200: schemas.Webhooks})
def list_webhooks(query: schemas.Page) -> Response:
    return answer("webhooks", *page(db(), select(Webhook), order=Webhook.created_at,
                                    ident=Webhook.id, limit=query.limit, cursor=query.cursor,
                                    render=each(render)))


@bp.get("/webhooks/<webhook_id>")
@roles("admin")
@endpoint("Get a webhook subscription", tag="webhooks", responses={200: schemas.Webhook})
def get_webhook(webhook_id: str) -> Response:
    return jsonify(render(_webhook(webhook_id)))


@bp.delete("/webhooks/<webhook_id>")
@roles("admin")
@write
@endpoint("Delete a subscription and its deliveries: nothing more is sent to it",
          tag="webhooks", responses={204: None})
def delete_webhook(webhook_id: str) -> Response:
    webhooks.unsubscribe(db(), webhook_id)
    return Response(status=204)


@bp.get("/webhooks/<webhook_id>/deliveries")
@roles("admin")
@endpoint("List a subscription's deliveries with their attempts", tag="webhooks",
          query=schemas.DeliveriesQuery, responses={200: schemas.Deliveries})
def list_deliveries(webhook_id: str, query: schemas.DeliveriesQuery) -> Response:
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == _webhook(webhook_id).id)
    if query.status:
        stmt = stmt.where(WebhookDelivery.status == query.status)
    return answer("deliveries", *page(
        db(), stmt, order=WebhookDelivery.created_at, ident=WebhookDelivery.id,
        limit=query.limit, cursor=query.cursor,
        render=lambda rows: webhooks.with_attempts(db(), rows)))


@bp.get("/webhooks/<webhook_id>/deliveries/<delivery_id>")
@roles("admin")
@endpoint("Get a delivery with its attempts", tag="webhooks",
          responses={200: schemas.Delivery})
def get_delivery(webhook_id: str, delivery_id: str) -> Response:
    delivery = webhooks.delivery(db(), _webhook(webhook_id), delivery_id)
    return jsonify(webhooks.with_attempts(db(), [delivery])[0])


@bp.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/retry")
@roles("admin")
@write
@endpoint("Send a delivery again now", tag="webhooks", responses={202: schemas.Delivery})
def retry_delivery(webhook_id: str, delivery_id: str) -> Response:
    webhook = _webhook(webhook_id)
    delivery = webhooks.redeliver(db(), webhook, delivery_id, runtime().clock.now())
    return created(webhooks.with_attempts(db(), [delivery])[0],
                   f"/v1/webhooks/{webhook.id}/deliveries/{delivery.id}", status=202)
