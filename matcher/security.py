"""Security headers on every response, and who is asking (client IP, user agent).

The CSP allows scripts, styles, images and fetches from this origin only: no inline
script or style anywhere (templates keep their JavaScript and CSS in ``static/``).
Responses other than static files may carry personal data, so none of them is cached.
HSTS is sent only when the app is served over TLS (the ``HTTPS`` setting).
"""
from flask import current_app, request

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def client_ip():
    """The client's address as the WSGI server saw it (a proxy must be made explicit)."""
    return request.remote_addr or "-"


def user_agent():
    """The client's User-Agent header, shortened for the audit log."""
    return (request.headers.get("User-Agent") or "")[:300]


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _remember_client():
    from .services.audit import request_info
    request_info.set((client_ip(), user_agent() or None))


def init_app(app):
    """Send the security headers on every response of ``app``; note who is asking."""
    if app.config.get("HTTPS"):
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.before_request(_remember_client)
    app.after_request(_headers)
