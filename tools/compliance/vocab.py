"""Checks of caller-supplied vocabulary values (channel, product type) with messages that list the options."""

from __future__ import annotations

from core.domain import CHANNELS, PRODUCT_TYPES


def require_channel(channel: object) -> None:
    """Raise ValueError unless ``channel`` is one of core.domain's channel names."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of: {', '.join(CHANNELS)}")


def require_product_type(product_type: object) -> None:
    """Raise ValueError unless ``product_type`` is None (unknown) or one of core.domain's product types."""
    if product_type is not None and product_type not in PRODUCT_TYPES:
        raise ValueError(
            f"unknown product type {product_type!r}; expected one of: {', '.join(PRODUCT_TYPES)}"
        )
