"""Strict reading of one H5 lead-form submission against the form the published page declares.

Only what the page asked for is accepted: its fields and its consent boxes (``consent_<purpose>=yes``, as the
template writes them). Error messages name the field and the rule but never echo what the visitor typed, so a
mobile number cannot end up in a log through an error.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from pydantic import BaseModel

from tools.campaign_api.errors import InvalidInput, WorkflowError
from tools.h5.model import LeadForm

MAX_BODY_BYTES = 4096
MAX_TEXT_CHARS = 32
CONSENT_PREFIX = "consent_"
CONSENT_TICKED = "yes"
# Mainland China mobile numbers: 11 digits, 1 then 3–9. ASCII digits only, so full-width look-alikes are refused.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Visitors type "138 0013 8000" or "138-0013-8000"; those separators carry no meaning and are dropped.
_MOBILE_SEPARATORS = re.compile(r"[ \-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LeadRejected(InvalidInput):
    """The submission does not match the page's form (422); ``code`` says which rule it broke."""


class BodyTooLarge(WorkflowError):
    """The request body is over ``MAX_BODY_BYTES`` (413)."""

    status = 413


class ConsentRecord(BaseModel):
    """One consent box as shown to the visitor and whether they ticked it."""

    purpose: str
    text: str
    required: bool
    granted: bool


class ValidatedLead(BaseModel):
    """A submission that passed every rule; ``mobile`` is the normalised raw number, held in memory only."""

    mobile: str
    fields: dict[str, str]
    consents: list[ConsentRecord]


def parse_form_body(body: bytes) -> dict[str, str]:
    """URL-encoded body → {name: value}; oversize bodies, bad encodings and repeated names are refused."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge("body_too_large", f"the form body exceeds {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("ascii")  # URL-encoded bodies are ASCII; UTF-8 text arrives percent-encoded
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise LeadRejected("malformed_form", "the form body is not valid URL-encoded UTF-8") from exc
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise LeadRejected("repeated_field", f"form field {name!r} was sent more than once")
        values[name] = value
    return values


def validate_lead(form: LeadForm, values: dict[str, str]) -> ValidatedLead:
    """Check the submission against ``form``: known names only, required fields, a valid mobile, consents."""
    field_names = {field.name for field in form.fields}
    consent_names = {CONSENT_PREFIX + consent.purpose for consent in form.consents}
    unknown = sorted(set(values) - field_names - consent_names)
    if unknown:
        raise LeadRejected(
            "unknown_field", f"the page's form has no field(s) {', '.join(map(repr, unknown))}"
        )
    return ValidatedLead(
        mobile=_mobile(form, values), fields=_text_fields(form, values), consents=_consents(form, values)
    )


def _mobile(form: LeadForm, values: dict[str, str]) -> str:
    tel_fields = [field for field in form.fields if field.input_type == "tel"]
    if len(tel_fields) != 1:
        # A page without exactly one phone field cannot take a callback lead; this is the page's fault.
        raise LeadRejected("form_without_mobile", "the page's form must declare exactly one tel field")
    name = tel_fields[0].name
    number = _MOBILE_SEPARATORS.sub("", values.get(name, "").strip())
    if not number:
        raise LeadRejected("missing_field", f"form field {name!r} is required")
    if not _MOBILE.fullmatch(number):
        raise LeadRejected(
            "invalid_mobile", f"form field {name!r} must be an 11-digit mainland mobile (1[3-9]…)"
        )
    return number


def _text_fields(form: LeadForm, values: dict[str, str]) -> dict[str, str]:
    accepted: dict[str, str] = {}
    for field in form.fields:
        if field.input_type == "tel":
            continue
        value = values.get(field.name, "").strip()
        if not value:
            if field.required:
                raise LeadRejected("missing_field", f"form field {field.name!r} is required")
            continue
        if len(value) > MAX_TEXT_CHARS:
            raise LeadRejected(
                "field_too_long", f"form field {field.name!r} exceeds {MAX_TEXT_CHARS} characters"
            )
        if _CONTROL.search(value):
            raise LeadRejected("invalid_characters", f"form field {field.name!r} contains control characters")
        accepted[field.name] = value
    return accepted


def _consents(form: LeadForm, values: dict[str, str]) -> list[ConsentRecord]:
    records: list[ConsentRecord] = []
    for consent in form.consents:
        raw = values.get(CONSENT_PREFIX + consent.purpose)
        if raw is not None and raw != CONSENT_TICKED:
            raise LeadRejected(
                "invalid_consent_value", f"consent_{consent.purpose} may only be {CONSENT_TICKED!r} or absent"
            )
        granted = raw == CONSENT_TICKED
        # H5Page guarantees the data_processing box is required, so this check always covers it.
        if consent.required and not granted:
            raise LeadRejected("consent_required", f"the {consent.purpose} consent must be ticked to submit")
        records.append(
            ConsentRecord(
                purpose=consent.purpose, text=consent.shown_text, required=consent.required, granted=granted
            )
        )
    return records
