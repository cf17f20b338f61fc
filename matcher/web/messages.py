"""UI strings that come from code, not templates, marked for extraction (pybabel -k N_)."""


def N_(text):
    """Mark ``text`` for translation; translated where it is shown."""
    return text


STATUS_LABELS = {
    "referred": N_("Referred"), "interviewed": N_("Interviewed"), "hired": N_("Hired"),
    "not_hired": N_("Not hired"), "employed_3m": N_("Still employed at 3 months"),
    "employed_6m": N_("Still employed at 6 months"), "left": N_("Left the job"),
    "enrolled": N_("Enrolled"), "completed": N_("Completed"), "dropped": N_("Dropped out"),
}

KIND_LABELS = {"job": N_("Job"), "course": N_("Course")}

# Why a referral ended (matcher.services.referrals.REASONS), by step.
REASON_LABELS = {
    "not_hired": {
        "no_show": N_("Did not go to the interview"),
        "skills": N_("Skills or experience did not fit"),
        "record": N_("The employer declined because of the criminal record"),
        "pay": N_("Pay too low for the person"),
        "distance": N_("Too far or no transport"),
        "shift": N_("Working hours did not fit"),
        "other": N_("Other reason (see the note)"),
    },
    "left": {
        "pay": N_("Pay"), "conditions": N_("Working conditions"), "health": N_("Health"),
        "family": N_("Family reasons"), "moved": N_("Moved away"),
        "relapse_risk": N_("Risk of reoffending or relapse"),
        "dismissed": N_("Dismissed by the employer"),
        "other": N_("Other reason (see the note)"),
    },
    "dropped": {
        "health": N_("Health"), "family": N_("Family reasons"), "moved": N_("Moved away"),
        "cost": N_("Cost of studying or living"), "schedule": N_("Schedule did not fit"),
        "work": N_("Found work"), "other": N_("Other reason (see the note)"),
    },
}

# Support measures (matcher.services.support.MEASURES): name and legal basis.
SUPPORT_LABELS = {
    "job_placement": N_("Job counselling and introduction"),
    "vocational_training": N_("Vocational training support"),
    "training_allowance": N_("Training allowance (meals, travel)"),
    "preferential_loan": N_("Preferential loan (Social Policy Bank)"),
    "identity_papers": N_("Help with residence registration and ID card"),
}
SUPPORT_BASIS = {
    "job_placement": N_("Decree 49/2020/NĐ-CP on community reintegration: free counselling "
                        "and job introduction at public employment service centres."),
    "vocational_training": N_("Decree 49/2020/NĐ-CP: support to learn a trade."),
    "training_allowance": N_("Meals and travel while on an elementary or short vocational "
                             "course, under the vocational training support policy "
                             "(Decision 46/2015/QĐ-TTg)."),
    "preferential_loan": N_("Decision 22/2023/QĐ-TTg: loans for people who have served "
                            "their sentence, through the Social Policy Bank (Ngân hàng "
                            "Chính sách xã hội); apply within three years of release."),
    "identity_papers": N_("Decree 49/2020/NĐ-CP: help with the papers employers and the "
                          "bank ask for."),
}
SUPPORT_STATUS_LABELS = {"suggested": N_("Suggested"), "applied": N_("Applied for"),
                         "granted": N_("Granted"), "refused": N_("Refused")}

ROLE_LABELS = {"officer": N_("Officer"), "province": N_("Province account"),
               "admin": N_("Administrator")}

ACTION_LABELS = {
    "profile.view": N_("Viewed profile"), "profile.create": N_("Created profile"),
    "profile.update": N_("Updated profile"), "profile.delete": N_("Deleted profile"),
    "profile.export": N_("Exported profile data"), "profile.close": N_("Closed case"),
    "profile.reopen": N_("Reopened case"), "consent.record": N_("Recorded consent"),
    "consent.withdraw": N_("Consent withdrawn"),
    "match.run": N_("Ran a match"), "match.api": N_("Match API call"),
    "slip.view": N_("Viewed referral slip"), "referral.create": N_("Created referral"),
    "referral.update": N_("Updated referral"),
    "support.update": N_("Recorded support measure"), "access.denied": N_("Access denied"),
    "login": N_("Logged in"), "login.failed": N_("Failed login"), "logout": N_("Logged out"),
    "password.change": N_("Changed password"), "retention.erase": N_("Erased (retention)"),
    "report.export": N_("Exported a report"), "account.update": N_("Changed account settings"),
    "digest.send": N_("Sent the e-mail digest"),
}

CONSENT_LABELS = {
    "employment": N_("Finding work and vocational training"),
    "matching": N_("Matching with jobs and courses"),
    "referral": N_("Referral to employers and training providers (case code on the slip)"),
    "statistics": N_("Anonymous statistics of the programme"),
}

# The password rules (matcher.services.passwords.MESSAGES), for extraction.
PASSWORD_MESSAGES = [
    N_("Use at least %(n)s characters."), N_("Use at most %(n)s characters."),
    N_("This password is too common; choose another."),
    N_("The password must not contain your user name."),
    N_("This password is too easy to guess; add another word or two."),
    N_("Choose a password different from the current one."),
    N_("Record the person's consent before saving."),
    N_("The consent must at least cover matching."),
]

TRANSITION_ERRORS = {
    "not_allowed": N_("That outcome cannot follow the current status."),
    "future": N_("The date cannot be in the future."),
    "before_previous": N_("The date cannot be before the previous step."),
    "too_early": N_("Retention can only be recorded 3 or 6 months after the hiring date."),
}

# Validation messages of the shared schemas and of marshmallow, as they appear.
VALIDATION = [
    N_("Missing data for required field."), N_("Not a valid number."),
    N_("Not a valid integer."), N_("Not a valid date."), N_("Must be one of: {choices}."),
    N_("Give at least one skill or some experience."),
    N_("Use a 1-4 digit occupation code."),
    N_("Use up to 40 letters, digits, '.', '_' or '-'; never a name or ID number."),
    N_("Give both lat and lon, or neither."), N_("Not a place in the chosen area."),
    N_("Longer than maximum length {max}."), N_("Field may not be null."),
    N_("This case code is already used in your unit."), N_("Invalid value."),
    N_("Choose a reason."), N_("Say what the other reason is."),
    N_("This step takes no reason."), N_("Say why it was refused."),
    N_("The date cannot be in the future."),
    N_("No single occupation has this name: choose one below, or type more of it."),
]

HTTP_TITLES = {
    400: N_("Bad request"), 403: N_("Forbidden"), 404: N_("Page not found"),
    405: N_("Method not allowed"), 413: N_("Request too large"),
    429: N_("Too many requests"), 500: N_("Something went wrong"), 503: N_("Service unavailable"),
}
HTTP_DETAILS = {
    400: N_("The form could not be accepted. Reload the page and try again."),
    403: N_("You do not have access to this page."),
    404: N_("This page does not exist, or it belongs to another unit."),
    405: N_("This page cannot be used that way."),
    413: N_("What you sent is too large."),
    429: N_("Too many attempts from here; wait a minute and try again."),
    500: N_("Something went wrong on our side; it has been logged."),
    503: N_("The search index cannot answer right now; try again shortly. Stored data is safe."),
}
