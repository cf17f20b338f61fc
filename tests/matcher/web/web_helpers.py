"""Helpers of the web-app tests: log in, read CSRF tokens, post forms."""
import re

SAM_SON_UNIT = "Thanh Hóa / Phường Sầm Sơn"
OTHER_UNIT = "Thanh Hóa / Phường Nam Sầm Sơn"
PASSWORD = "correct horse battery"

PROFILE_FORM = {"case_code": "TS-2026-01", "skills": ["welding_smaw"],
                "province_code": "38", "ward": "Phường Sầm Sơn", "max_commute_km": "25",
                "shifts": ["day"], "min_monthly_pay_vnd": "7.000.000",
                # The person's consent (Law 91/2025), recorded with every new profile.
                "consent_given": "y", "consent_given_on": "2026-01-05",
                "consent_purpose": "employment", "consent_scope": ["matching", "referral"]}


def csrf_token(client, path="/login"):
    """The CSRF token of the form on ``path``."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username, password=PASSWORD):
    """Log ``username`` in through the login form."""
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def post_form(client, path, data, form_path=None):
    """POST ``data`` to ``path`` with the CSRF token of the page at ``form_path``."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)})
