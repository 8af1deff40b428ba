"""PII masking for logs, LLM prompts and the console (个人信息保护法 minimisation).

Patterns follow the compliance catalog (PI-01): mobile numbers not inside longer digit runs, 18-digit ID
numbers, 16–19-digit card numbers. Masking is deliberately broader than detection: a digit run that merely
looks like a card is masked even when its checksum fails, because over-masking a log costs nothing.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])(\d{3})\d{11}(\d{3}[\dXx])(?![\dXx])")
_CARD = re.compile(r"(?<!\d)(\d{4})\d{8,11}(\d{4})(?!\d)")


def mask_phone(phone: str) -> str:
    """138****8000 style; anything not an 11-digit mobile is masked entirely but for its last 4 digits."""
    digits = re.sub(r"\D", "", phone)[-11:]
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """First 3 and last 4 characters kept (the catalog's masking convention)."""
    return (
        id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]
        if len(id_number) > 7
        else "*" * len(id_number)
    )


def mask_card(card: str) -> str:
    digits = re.sub(r"\D", "", card)
    return f"{digits[:4]} **** **** {digits[-4:]}" if len(digits) >= 8 else "*" * len(digits)


def mask_name(name: str) -> str:
    """Keep the surname (first character; two for common compound surnames), star the given name."""
    name = name.strip()
    if not name:
        return name
    keep = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(len(name) - keep, 1)


_COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"}
)


def mask_text(text: str) -> str:
    """Mask every ID number, card number and mobile number inside free text (order matters: longest first)."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    text = _CARD.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(0)) - 8)}{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
