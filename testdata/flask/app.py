"""A small Flask API with object-level authorization faults and their fixes.

This is a target for trespass's integration tests, written the way such
faults appear in real code rather than the way the scanner's own embedded
lab (crates/lab) builds them, so that the scanner is checked against a
second, independent implementation.

Two users each hold an API key sent in the ``X-API-Key`` header. Each user
belongs to a tenant, and invoices belong to tenants.

Routes under ``/`` carry the faults:

- ``GET /users/<id>`` looks the user up before it checks the key, and then
  checks only that the key is valid, never that it belongs to that user. So
  any key reads any user, and without a key a missing user answers 404 while
  an existing one answers 401 (an existence oracle).
- ``GET /invoices/<id>`` requires a valid key but does not filter the lookup
  by the caller's tenant, so any tenant reads every invoice.

Routes under ``/v2`` are the fixed twins: they resolve the caller from the
key first and then look the object up scoped to that caller, answering the
same 404 for "not yours" and "does not exist".

Run it through ``serve.py``, which binds a free loopback port and stops by
itself; this module only defines the application.
"""

from pathlib import Path

from flask import Flask, jsonify, request, send_from_directory

HERE = Path(__file__).resolve().parent

USERS = {
    1: {
        "id": 1,
        "name": "Ada Lovelace",
        "email": "ada@northwind.example",
        "tenant": "northwind",
    },
    2: {
        "id": 2,
        "name": "Grace Hopper",
        "email": "grace@contoso.example",
        "tenant": "contoso",
    },
}

# API key -> user id. The keys are fixtures, not secrets.
API_KEYS = {
    "flask-key-ada-5c2e9a71": 1,
    "flask-key-grace-83b1d4f0": 2,
}

INVOICES = {
    31: {"id": 31, "tenant": "northwind", "amount": 1200, "customer": "Umbrella"},
    32: {"id": 32, "tenant": "northwind", "amount": 80, "customer": "Cyberdyne"},
    41: {"id": 41, "tenant": "contoso", "amount": 5600, "customer": "Tyrell"},
}

app = Flask(__name__)


def caller():
    """Return the user the request's API key belongs to, or None."""
    user_id = API_KEYS.get(request.headers.get("X-API-Key", ""))
    return USERS.get(user_id) if user_id is not None else None


def unauthorized():
    return jsonify(error="unauthorized"), 401


def not_found():
    return jsonify(error="not found"), 404


@app.errorhandler(404)
def route_not_found(_error):
    return not_found()


@app.errorhandler(405)
def method_not_allowed(_error):
    return jsonify(error="method not allowed"), 405


@app.errorhandler(500)
def internal_error(_error):
    return jsonify(error="internal error"), 500


@app.get("/openapi.yaml")
def openapi():
    return send_from_directory(HERE, "openapi.yaml", mimetype="application/yaml")


# Collections: scoped to the caller in both versions.


@app.get("/users")
@app.get("/v2/users")
def list_users():
    user = caller()
    if user is None:
        return unauthorized()
    return jsonify([user])


@app.get("/invoices")
@app.get("/v2/invoices")
def list_invoices():
    user = caller()
    if user is None:
        return unauthorized()
    return jsonify([i for i in INVOICES.values() if i["tenant"] == user["tenant"]])


# Vulnerable single-object routes.


@app.get("/users/<int:user_id>")
def get_user(user_id):
    # VULNERABLE: the lookup runs before the key check, so an anonymous
    # caller learns which ids exist (404 versus 401), and the check only asks
    # whether the key is valid, not whether it belongs to this user.
    user = USERS.get(user_id)
    if user is None:
        return not_found()
    if caller() is None:
        return unauthorized()
    return jsonify(user)


@app.get("/invoices/<int:invoice_id>")
def get_invoice(invoice_id):
    # VULNERABLE: the key is checked, but the lookup ignores its tenant.
    if caller() is None:
        return unauthorized()
    invoice = INVOICES.get(invoice_id)
    if invoice is None:
        return not_found()
    return jsonify(invoice)


# Fixed single-object routes.


@app.get("/v2/users/<int:user_id>")
def get_user_v2(user_id):
    # FIXED: resolve the caller first, then look up only among the objects
    # the caller owns; "not yours" and "does not exist" answer alike.
    user = caller()
    if user is None:
        return unauthorized()
    if user["id"] != user_id:
        return not_found()
    return jsonify(user)


@app.get("/v2/invoices/<int:invoice_id>")
def get_invoice_v2(invoice_id):
    # FIXED: the lookup is scoped to the caller's tenant.
    user = caller()
    if user is None:
        return unauthorized()
    invoice = INVOICES.get(invoice_id)
    if invoice is None or invoice["tenant"] != user["tenant"]:
        return not_found()
    return jsonify(invoice)
