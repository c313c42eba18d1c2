"""A real local Stripe peer for the tests: localstripe's app served on 127.0.0.1 from a thread
of the test process, and the events localstripe does not send, built in Stripe's current
shapes and signed exactly as Stripe signs them.

localstripe charges no fee and has no Checkout Sessions. The peer gives a charge's balance
transaction the fee Stripe would take, and answers ``POST /v1/checkout/sessions`` by keeping
the parameters and returning a session with its URL; completing Checkout is then the
``checkout.session.completed`` event the tests build and sign.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time

import stripe
from aiohttp import web

API_KEY = "sk_test_localpeer"
WEBHOOK_SECRET = "whsec_test_localpeer"


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=<HMAC-SHA256(secret, "t.payload")>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_counter = itertools.count(1)


def event(type: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{secrets.token_hex(8)}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }


def post_event(client, evt: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """Deliver one event to the webhook endpoint through Django's test client."""
    from django.test import TestCase

    payload = json.dumps(evt).encode()
    # The webhook queues its work when its transaction commits, and a test's transaction never
    # does: run what it queued as the commit would (tasks run in-process in tests).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/stripe/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(payload, secret, timestamp),
        )


def _subscription_card_patch(resources) -> None:
    """localstripe's subscriptions take no ``default_payment_method``. Stripe's do, and pay
    the subscription's invoices with it before the customer's default: the peer keeps it on
    the subscription and makes it the customer's default too, which is the card localstripe
    pays invoices with (POST /v1/invoices/{id}/pay)."""
    sub_class = resources.Subscription
    if getattr(sub_class, "_msp_card_patch", False):
        return
    update = sub_class._update

    def _update(self, default_payment_method=None, **data):
        if default_payment_method is not None:
            pm = resources.PaymentMethod._api_retrieve(default_payment_method)
            if pm.customer != self.customer:
                raise resources.UserError(400, "The payment method is not the customer's")
            self.default_payment_method = default_payment_method
            customer = resources.Customer._api_retrieve(self.customer)
            customer.invoice_settings = {
                **(customer.invoice_settings or {}),
                "default_payment_method": default_payment_method,
            }
        if data:
            update(self, **data)

    sub_class._update = _update
    sub_class._msp_card_patch = True


def _subscription_updates(resources) -> None:
    """What localstripe's subscription update lacks and the donors' page sends (once per
    process): ``items[].price_data`` (a new price on the same product: localstripe knows only
    plans, so it becomes a plan), ``pause_collection`` (kept and shown on the subscription) and
    ``proration_behavior`` (accepted; localstripe prorates nothing on a same-interval change).
    localstripe sends no ``customer.subscription.updated`` either: tests build it from
    ``subscription_object``, as Stripe would send it."""
    subscription = resources.Subscription
    if getattr(subscription, "_msp_updates", False):
        return
    original = subscription._update
    unset = object()

    def _update(self, *, items=None, pause_collection=unset, proration_behavior=None, **data):
        if proration_behavior not in (None, "none", "create_prorations", "always_invoice"):
            raise resources.UserError(400, "Bad request")
        for item in items or ():
            price = item.pop("price_data", None)
            if price:
                plan = resources.Plan(
                    amount=int(price["unit_amount"]),
                    currency=price["currency"],
                    interval=(price.get("recurring") or {}).get("interval", "month"),
                    product=price["product"],
                )
                item["plan"] = plan.id
        if pause_collection is not unset:
            self.pause_collection = pause_collection or None
        return original(self, items=items, **data)

    subscription._update = _update
    subscription.pause_collection = None
    subscription._msp_updates = True


class Peer:
    def __init__(self):
        self.url = ""
        self.sessions: dict[str, dict] = {}
        self._loop = asyncio.new_event_loop()

    # --- running localstripe -------------------------------------------------------------
    def start(self) -> Peer:
        from localstripe import resources, server

        # localstripe pickles its whole store to one shared file on every write: keep it in
        # memory (several test processes run at once).
        resources.Store.dump_to_disk = lambda self: None
        self.store = resources.store
        self.resources = resources
        _subscription_updates(resources)
        app = server.app
        _subscription_card_patch(resources)
        if not getattr(app, "_msp_checkout", False):
            app.router.add_post("/v1/checkout/sessions", self._checkout_create)
            app.router.add_get("/v1/checkout/sessions", self._checkout_list)
            app.router.add_get("/v1/checkout/sessions/{id}", self._checkout_get)
            # Under /_config/, which localstripe serves without an API key (a browser has none).
            app.router.add_get("/_config/checkout/{id}", self._checkout_page)
            app.router.add_post("/_config/checkout/{id}/pay", self._checkout_pay)
            app._msp_checkout = True
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name="localstripe")
        self._thread.start()
        ready.wait(10)
        self.api = stripe.StripeClient(API_KEY, base_addresses={"api": self.url})
        return self

    def stop(self) -> None:
        async def shutdown():
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def webhook_to(self, url: str, events: list[str]) -> None:
        """Point the peer's own webhooks (the events localstripe does send) at ``url``."""
        import urllib.parse
        import urllib.request

        data = {"url": url, "secret": WEBHOOK_SECRET}
        data.update({f"events[{i}]": name for i, name in enumerate(events)})
        request = urllib.request.Request(
            f"{self.url}/_config/webhooks/msp", data=urllib.parse.urlencode(data).encode()
        )
        urllib.request.urlopen(request, timeout=10).close()

    def webhooks_off(self) -> None:
        from localstripe import webhooks

        # A new dict, not clear(): a delivery in flight is iterating the old one.
        webhooks._webhooks = {}

    def flush(self) -> None:
        """Forget every object in the peer (a test that lists everything starts empty)."""
        self.store.clear()

    async def _checkout_create(self, request):
        from localstripe.server import get_post_data

        data = await get_post_data(request) or {}
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": data.get("mode"),
            "metadata": data.get("metadata") or {},
            "url": f"{self.url}/_config/checkout/{session_id}",
            "status": "open",
            "params": data,
        }
        self.sessions[session_id] = session
        return web.json_response(session)

    async def _checkout_list(self, request):
        """``GET /v1/checkout/sessions?payment_intent=…``: the sessions that made a payment."""
        wanted = request.query.get("payment_intent")
        data = [
            {k: v for k, v in s.items() if k != "params"}
            for s in self.sessions.values()
            if not wanted or s.get("payment_intent") == wanted
        ]
        return web.json_response(
            {"object": "list", "data": data, "has_more": False, "url": "/v1/checkout/sessions"}
        )

    async def _checkout_get(self, request):
        """``GET /v1/checkout/sessions/<id>``: a session the peer created (404 if none)."""
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return web.json_response(
                {"error": {"type": "invalid_request_error", "message": "No such session"}},
                status=404,
            )
        return web.json_response({k: v for k, v in session.items() if k != "params"})

    # --- the hosted Checkout page --------------------------------------------------------
    # What a browser test walks through: the session's URL is a page saying what will be
    # charged, with one "Pay" button. Paying makes the payment in the peer (a test card),
    # settles it in US dollars at ``exchange_rates`` (Stripe's rate, made up), sends the
    # events Stripe would send, signed, to ``checkout_webhook_url``, and returns the browser
    # to the session's success URL. One-time payments only.
    exchange_rates = {"gbp": 1.274, "eur": 1.083, "cad": 0.732, "aed": 0.2723}
    checkout_webhook_url = ""

    async def _checkout_page(self, request):
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return web.Response(status=404, text="No such Checkout Session")
        if session["mode"] == "setup":
            # A new card for a subscription, nothing charged: the test completes it
            # (checkout_complete_setup) as the donor would.
            return web.Response(
                text="<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>Stripe Checkout</title></head><body>"
                "<h1>Stripe Checkout (setup)</h1>"
                f"<p id='setup'>Save a card</p><p>{session['id']}</p></body></html>",
                content_type="text/html",
            )
        price = session["params"]["line_items"][0]["price_data"]
        code, minor = price["currency"].upper(), int(price["unit_amount"])
        html = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Pay (Stripe peer)</title></head><body><main>"
            f"<h1>Pay {code} {minor / 100:.2f}</h1>"
            f"<p id='charge'>{code} {minor / 100:.2f}</p><p>Card 4242 4242 4242 4242</p>"
            f"<form method='post' action='/_config/checkout/{session['id']}/pay'>"
            "<button type='submit'>Pay</button></form></main></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def _checkout_pay(self, request):
        session_id = request.match_info["id"]
        if session_id not in self.sessions:
            return web.Response(status=404, text="No such Checkout Session")
        loop = asyncio.get_running_loop()
        # The payment is made through the peer's own API: off this event loop's thread.
        success = await loop.run_in_executor(None, self.checkout_pay, session_id)
        raise web.HTTPSeeOther(success)

    def checkout_pay(self, session_id: str) -> str:
        """Pay a session as its donor would, deliver its events to ``checkout_webhook_url``,
        return the success URL."""
        import urllib.request

        paid = self.checkout_pay_events(session_id)
        for evt in paid["events"]:
            payload = json.dumps(evt).encode()
            delivery = urllib.request.Request(
                self.checkout_webhook_url,
                data=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload)},
            )
            urllib.request.urlopen(delivery, timeout=30).close()
        return paid["success_url"]

    def checkout_pay_events(self, session_id: str) -> dict:
        """Pay a one-time session with the test card (in another currency, settled in dollars
        at ``exchange_rates`` with a fee of 5.4% + 30c): its events, unsent, and the URL the
        donor returns to."""
        params = self.sessions[session_id]["params"]
        price = params["line_items"][0]["price_data"]
        currency, minor = price["currency"], int(price["unit_amount"])
        metadata = dict((params.get("payment_intent_data") or {}).get("metadata") or {})
        extra: dict = {}
        if currency != "usd":
            rate = self.exchange_rates[currency]
            settled = round(minor * rate)
            extra = {
                "currency": currency,
                "settled_cents": settled,
                "exchange_rate": rate,
                "fee_cents": round(settled * 0.054) + 30,
            }
        paid = self.pay(cents=minor, email="harriet@example.co.uk", name="Harriet Shah",
                        address={"line1": "4 Mill Lane", "city": "Leeds",
                                 "postal_code": "LS1 4AP", "country": "GB"},
                        metadata=metadata, **extra)  # fmt: skip
        completed = self.checkout_complete(session_id, paid)
        return {
            "events": [
                event("checkout.session.completed", completed),
                event("charge.succeeded", self.charge_object(paid["charge"])),
            ],
            "success_url": params["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id),
        }

    def checkout_complete(self, session_id: str, payment: dict) -> dict:
        """The session the peer created, completed by ``payment`` (made with ``pay``), as the
        ``checkout.session.completed`` event carries it; the peer then lists it by payment."""
        created = self.sessions[session_id]
        session = self.checkout_session_object(payment, metadata=created["metadata"])
        session["id"] = session_id
        session["customer_email"] = created["params"].get("customer_email")
        created.update({k: v for k, v in session.items() if k != "url"})
        return session

    def checkout_complete_setup(self, session_id: str, *, card: str = "4242424242424242") -> dict:
        """A setup-mode session the peer created (a card update), completed as Stripe does it:
        a SetupIntent confirmed with the new card, the card attached to the customer. Returns
        the session as ``checkout.session.completed`` carries it."""
        created = self.sessions[session_id]
        params = created["params"]
        customer = params["customer"]
        pm = self.api.v1.payment_methods.create(
            {"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2031,
                                      "cvc": "123"}}
        )  # fmt: skip
        self.api.v1.payment_methods.attach(pm.id, {"customer": customer})
        intent = self.api.v1.setup_intents.create(
            {"customer": customer, "metadata": (params.get("setup_intent_data") or {}).get(
                "metadata") or {}}
        )  # fmt: skip
        intent = self.api.v1.setup_intents.confirm(intent.id, {"payment_method": pm.id})
        session = {
            "id": session_id,
            "object": "checkout.session",
            "created": int(time.time()),
            "customer": customer,
            "livemode": False,
            "metadata": created["metadata"],
            "mode": "setup",
            "payment_intent": None,
            "payment_status": "no_payment_required",
            "setup_intent": intent.id,
            "status": "complete",
            "subscription": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
        }
        created.update({k: v for k, v in session.items() if k != "url"})
        return session

    def fail_next_invoice(self, subscription_id: str) -> dict:
        """The subscription's next month charged to a card that is declined: the peer's open
        invoice (localstripe sets the subscription past due), as invoice.payment_failed
        carries it for the first attempt, Stripe to retry in three days."""
        sub = self.store[f"subscription:{subscription_id}"]
        customer_id = sub.customer
        declined = self._payment_method(customer_id, {"name": "Declined card"}, "4000000000000341")
        self.api.v1.customers.update(
            customer_id, {"invoice_settings": {"default_payment_method": declined}}
        )

        async def create():
            sub._create_invoice()

        asyncio.run_coroutine_threadsafe(create(), self._loop).result(10)
        return self.failed_invoice_object(sub.latest_invoice, attempt=1)

    def failed_invoice_object(self, invoice_id: str, *, attempt: int, final: bool = False) -> dict:
        """A failed invoice of the peer in Stripe's current shape (``attempt_count``; no
        ``next_payment_attempt`` after the last try)."""
        inv = self.store[f"invoice:{invoice_id}"]
        sub = self.store[f"subscription:{inv.subscription}"]
        customer = self.store[f"customer:{inv.customer}"]
        return {
            "id": inv.id,
            "object": "invoice",
            "amount_due": inv.amount_due,
            "amount_paid": 0,
            "amount_remaining": inv.amount_due,
            "attempt_count": attempt,
            "attempted": True,
            "billing_reason": "subscription_cycle",
            "created": inv.date,
            "currency": inv.currency,
            "customer": inv.customer,
            "customer_email": customer.email,
            "customer_name": customer.name,
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None if final else int(time.time()) + 3 * 86400,
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(sub.metadata or {}),
                    "subscription": sub.id,
                },
            },  # fmt: skip
            "status": inv.status,
        }

    def invoice_payment(self, invoice_id: str) -> dict:
        """The payment that paid a peer invoice, as ``pay`` returns one (for invoice_object)."""
        inv = self.store[f"invoice:{invoice_id}"]
        billing = {"email": self.store[f"customer:{inv.customer}"].email}
        return self._settle(inv.payment_intent, billing, None, None)

    # --- payments made in the peer -------------------------------------------------------
    def customer(self, *, email: str, name: str, address: dict | None = None) -> dict:
        params = {"email": email, "name": name}
        if address:
            params["address"] = address
        return self.api.v1.customers.create(params).to_dict()

    def _payment_method(
        self, customer_id: str, billing: dict, number: str = "4242424242424242"
    ) -> str:
        pm = self.api.v1.payment_methods.create(
            {
                "type": "card",
                "card": {
                    "number": number,
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                },
                "billing_details": billing,
            }
        )
        self.api.v1.payment_methods.attach(pm.id, {"customer": customer_id})
        return pm.id

    def pay(
        self,
        *,
        cents: int,
        email: str = "ayesha@example.org",
        name: str = "Ayesha Khan",
        address: dict | None = None,
        customer_id: str | None = None,
        fee_cents: int | None = None,
        charged_at: int | None = None,
        metadata: dict | None = None,
        currency: str = "usd",
        settled_cents: int | None = None,
        settled_currency: str = "usd",
        exchange_rate: float | None = None,
    ) -> dict:
        """A card payment made in the peer: its payment intent and charge, with Stripe's fee
        (2.9% + 30c unless told) on the charge's balance transaction. A payment in another
        ``currency`` settles as Stripe settles it for a US account: its balance transaction
        is ``settled_cents`` of ``settled_currency`` at ``exchange_rate``, the fee in those."""
        address = address or {
            "line1": "12 Palm Ave", "city": "Fresno", "state": "CA",
            "postal_code": "93701", "country": "US",
        }  # fmt: skip
        if customer_id is None:
            customer_id = self.customer(email=email, name=name, address=address)["id"]
        billing = {"email": email, "name": name, "address": address}
        pm = self._payment_method(customer_id, billing)
        intent = self.api.v1.payment_intents.create(
            {
                "amount": cents,
                "currency": currency,
                "customer": customer_id,
                "payment_method": pm,
                "metadata": metadata or {},
            }
        )
        intent = self.api.v1.payment_intents.confirm(intent.id)
        paid = self._settle(intent.id, billing, fee_cents, charged_at)
        if currency != "usd":
            txn = self.balance_transaction(paid)
            txn.amount = cents if settled_cents is None else settled_cents
            txn.currency = settled_currency
            txn.exchange_rate = exchange_rate
        return paid

    def balance_transaction(self, payment: dict):
        """The peer's balance transaction of a payment's charge (tests change what it says)."""
        charge = self.store[f"charge:{payment['charge']}"]
        return self.store[f"balance_transaction:{charge.balance_transaction}"]

    def subscribe(
        self,
        *,
        cents: int,
        email: str = "bilal@example.org",
        name: str = "Bilal Ahmed",
        address: dict | None = None,
        fee_cents: int | None = None,
        metadata: dict | None = None,
        currency: str = "usd",
        settled_cents: int | None = None,
        exchange_rate: float | None = None,
    ) -> dict:
        """A monthly subscription made in the peer, with its first invoice paid (in another
        ``currency``, settled as ``settled_cents`` US cents, as ``pay`` does)."""
        address = address or {
            "line1": "5 Elm St", "city": "Indianapolis", "state": "IN",
            "postal_code": "46204", "country": "US",
        }  # fmt: skip
        customer_id = self.customer(email=email, name=name, address=address)["id"]
        billing = {"email": email, "name": name, "address": address}
        pm = self._payment_method(customer_id, billing)
        self.api.v1.customers.update(
            customer_id, {"invoice_settings": {"default_payment_method": pm}}
        )
        plan = self.api.v1.plans.create(
            {"currency": currency, "amount": cents, "interval": "month",
             "product": {"name": "Monthly gift"}}
        )  # fmt: skip
        sub = self.api.v1.subscriptions.create(
            {"customer": customer_id, "items": [{"plan": plan.id}], "metadata": metadata or {}}
        )
        invoice = self.store[f"invoice:{sub.latest_invoice}"]
        intent_id = invoice.payment_intent
        intent_id = intent_id if isinstance(intent_id, str) else intent_id.id
        paid = self._settle(intent_id, billing, fee_cents, None)
        if currency != "usd":
            txn = self.balance_transaction(paid)
            txn.amount = cents if settled_cents is None else settled_cents
            txn.currency = "usd"
            txn.exchange_rate = exchange_rate
        return {**paid, "subscription": sub.id, "invoice": invoice.id}

    def subscription_object(self, subscription_id: str, *, status: str | None = None) -> dict:
        sub = self.store[f"subscription:{subscription_id}"]
        item = sub.items._list[0] if hasattr(sub.items, "_list") else sub.items["data"][0]
        return {
            "id": sub.id,
            "object": "subscription",
            "cancel_at_period_end": False,
            "canceled_at": int(time.time()) if status == "canceled" else None,
            "created": sub.created,
            "currency": item.plan.currency,
            "customer": sub.customer,
            "ended_at": None,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": item.id,
                        "object": "subscription_item",
                        "current_period_end": sub.current_period_end,
                        "current_period_start": sub.current_period_start,
                        "price": {
                            "id": item.plan.id,
                            "object": "price",
                            "currency": item.plan.currency,
                            "recurring": {"interval": item.plan.interval, "interval_count": 1},
                            "type": "recurring",
                            "unit_amount": item.plan.amount,
                        },
                        "quantity": 1,
                    }
                ],
            },
            "livemode": False,
            "metadata": dict(sub.metadata or {}),
            "pause_collection": getattr(sub, "pause_collection", None),
            "start_date": sub.start_date,
            "status": status or sub.status,
        }

    def _settle(self, intent_id: str, billing: dict, fee_cents, charged_at) -> dict:
        pi = self.store[f"payment_intent:{intent_id}"]
        charge = pi.latest_charge
        for _ in range(50):  # localstripe settles asynchronously
            if charge.balance_transaction:
                break
            time.sleep(0.02)
        txn = self.store[f"balance_transaction:{charge.balance_transaction}"]
        txn.fee = round(charge.amount * 0.029) + 30 if fee_cents is None else fee_cents
        if charged_at is not None:
            charge.created = charged_at
        charge._billing = billing
        # What Stripe's charge carries and localstripe's lacks.
        charge.billing_details = {**billing, "phone": None}
        charge.payment_method_details = {
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
        }
        return {"payment_intent": intent_id, "charge": charge.id, "customer": pi.customer}

    # --- Stripe's current shapes, from the peer's objects --------------------------------
    def charge_object(self, charge_id: str) -> dict:
        charge = self.store[f"charge:{charge_id}"]
        pm = self.store[f"payment_method:{charge.payment_method}"]
        refunded = sum(
            r.amount
            for key, r in self.store.items()
            if key.startswith("refund:") and r.charge == charge_id
        )
        return {
            "id": charge.id,
            "object": "charge",
            "amount": charge.amount,
            "amount_captured": charge.amount,
            "amount_refunded": refunded,
            "balance_transaction": charge.balance_transaction,
            "billing_details": {**getattr(charge, "_billing", {}), "phone": None},
            "captured": True,
            "created": charge.created,
            "currency": charge.currency,
            "customer": charge.customer,
            "description": None,
            "disputed": False,
            "livemode": False,
            "metadata": {},
            "paid": True,
            "payment_intent": charge.payment_intent,
            "payment_method": charge.payment_method,
            "payment_method_details": {
                "type": "card",
                "card": {
                    "brand": "visa",
                    "last4": pm.card["last4"] if isinstance(pm.card, dict) else "4242",
                    "exp_month": 12,
                    "exp_year": 2030,
                    "country": "US",
                },
            },  # fmt: skip
            "refunded": refunded == charge.amount,
            "status": charge.status,
        }

    def payment_intent_object(self, intent_id: str) -> dict:
        pi = self.store[f"payment_intent:{intent_id}"]
        return {
            "id": pi.id,
            "object": "payment_intent",
            "amount": pi.amount,
            "amount_received": pi.amount,
            "created": pi.created,
            "currency": pi.currency,
            "customer": pi.customer,
            "latest_charge": pi.latest_charge.id,
            "livemode": False,
            "metadata": dict(pi.metadata or {}),
            "payment_method": pi.payment_method,
            "status": "succeeded",
        }

    def checkout_session_object(self, payment: dict, *, metadata: dict | None = None,
                                mode: str = "payment", subscription: str | None = None,
                                invoice: str | None = None) -> dict:  # fmt: skip
        charge = self.store[f"charge:{payment['charge']}"]
        billing = getattr(charge, "_billing", {})
        return {
            "id": f"cs_test_{secrets.token_hex(12)}",
            "object": "checkout.session",
            "amount_subtotal": charge.amount,
            "amount_total": charge.amount,
            "created": charge.created - 60,
            "currency": charge.currency,
            "customer": payment["customer"],
            "customer_details": {
                "address": billing.get("address"),
                "email": billing.get("email"),
                "name": billing.get("name"),
                "phone": None,
                "tax_exempt": "none",
            },
            "invoice": invoice,
            "livemode": False,
            "metadata": metadata or {},
            "mode": mode,
            "payment_intent": payment["payment_intent"] if mode == "payment" else None,
            "payment_status": "paid",
            "status": "complete",
            "subscription": subscription,
        }

    def invoice_object(
        self, payment: dict, *, subscription: str, metadata: dict | None = None
    ) -> dict:
        charge = self.store[f"charge:{payment['charge']}"]
        billing = getattr(charge, "_billing", {})
        invoice_id = f"in_test_{secrets.token_hex(8)}"
        return {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": charge.amount,
            "amount_paid": charge.amount,
            "amount_remaining": 0,
            "billing_reason": "subscription_create",
            "created": charge.created - 5,
            "currency": "usd",
            "customer": payment["customer"],
            "customer_address": billing.get("address"),
            "customer_email": billing.get("email"),
            "customer_name": billing.get("name"),
            "livemode": False,
            "metadata": {},
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"metadata": metadata or {}, "subscription": subscription},
            },
            "payments": {
                "object": "list",
                "data": [
                    {
                        "id": f"inpay_test_{secrets.token_hex(8)}",
                        "object": "invoice_payment",
                        "amount_paid": charge.amount,
                        "amount_requested": charge.amount,
                        "created": charge.created,
                        "currency": "usd",
                        "invoice": invoice_id,
                        "is_default": True,
                        "livemode": False,
                        "payment": {
                            "type": "payment_intent",
                            "payment_intent": payment["payment_intent"],
                        },
                        "status": "paid",
                        "status_transitions": {"canceled_at": None, "paid_at": charge.created},
                    }
                ],
                "has_more": False,
                "url": f"/v1/invoices/{invoice_id}/payments",
            },
            "status": "paid",
        }

    def refund(self, payment: dict, cents: int) -> dict:
        """A refund made in the peer, as Stripe's refund object."""
        refund = self.api.v1.refunds.create({"charge": payment["charge"], "amount": cents})
        charge = self.store[f"charge:{payment['charge']}"]
        return {
            "id": refund.id,
            "object": "refund",
            "amount": cents,
            "balance_transaction": None,
            "charge": payment["charge"],
            "created": refund.created,
            "currency": charge.currency,
            "metadata": {},
            "payment_intent": payment["payment_intent"],
            "reason": "requested_by_customer",
            "status": "succeeded",
        }

    def dispute_object(self, payment: dict, *, status: str, dispute_id: str | None = None) -> dict:
        charge = self.store[f"charge:{payment['charge']}"]
        return {
            "id": dispute_id or f"dp_test_{secrets.token_hex(8)}",
            "object": "dispute",
            "amount": charge.amount,
            "balance_transactions": [],
            "charge": charge.id,
            "created": charge.created + 86400,
            "currency": "usd",
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": payment["payment_intent"],
            "reason": "fraudulent",
            "status": status,
        }
