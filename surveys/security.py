"""Security headers on every response, and no caching of pages that show a staff member's data.

A small ``after_request`` hook rather than a library: the policy is fixed (no inline script, no
framing, nothing loaded from elsewhere), it has to hold for pupil and staff pages alike, and the
one library that did this for Flask (flask-talisman) also redirects to HTTPS and rewrites
cookies, which the deployment's reverse proxy and ``config.py`` already do.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.wrappers import Response

#: Everything from this site only; no inline script (``script-src 'self'`` without
#: 'unsafe-inline'), no plugins, no framing by other sites, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Same-origin: Flask-WTF's HTTPS referrer check keeps working, other sites learn nothing
    # (not even the path of a set-password link).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}

#: One year, as browsers' preload lists expect; sent only over HTTPS (RFC 6797 §7.2).
HSTS = "max-age=31536000; includeSubDomains"


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # A staff page holds school data: a shared laptop's back button or disk cache must not
    # bring it back after logout.
    if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
