"""Vectorised generation of a chunk's contact history, opt-outs and do-not-call entries.

Times are encoded relative to the build's as-of day (seconds or days before it) so the loader can anchor
them in SQL; contacts happen before the as-of day, within calling hours. Channels are codes into
``CONTACT_CHANNEL_NAMES`` / ``OPT_OUT_CHANNEL_NAMES``.
"""

from __future__ import annotations

import numpy as np

from tools.tag_store import demo_profiles as p

Columns = dict[str, np.ndarray]
_SECONDS_PER_DAY = 86_400
CONTACT_CHANNEL_NAMES = [name for name, _ in p.CONTACT_CHANNELS]
OPT_OUT_CHANNEL_NAMES = [name for name, _ in p.OPT_OUT_CHANNELS]


def generate_contacts(rng: np.random.Generator, customer_ids: np.ndarray, consent: np.ndarray) -> Columns:
    """Marketing contacts of the last ``CONTACT_HISTORY_DAYS`` days, sorted by customer id.

    Contact intensity is heavy-tailed (a gamma-Poisson mix) so that a few percent of customers hit the
    frequency caps; customers without marketing consent were contacted far less (service notices only).
    """
    size = int(customer_ids.shape[0])
    intensity = rng.gamma(0.6, 6.0, size) * np.where(consent, 1.0, 0.2)
    counts = rng.poisson(intensity)
    ids = np.repeat(customer_ids, counts)
    total = int(ids.shape[0])
    channel = p.weighted_choice(rng, tuple(w for _, w in p.CONTACT_CHANNELS), total)
    days_before = rng.integers(1, p.CONTACT_HISTORY_DAYS + 1, total)
    time_of_day = 9 * 3600 + rng.integers(0, 12 * 3600, total)  # 09:00-20:59
    return {
        "customer_id": ids,
        "channel": channel.astype(np.int16),
        "offset_seconds": time_of_day - days_before * _SECONDS_PER_DAY,
        "campaign": rng.integers(1, p.DEMO_CAMPAIGNS + 1, total),
    }


def generate_opt_outs(rng: np.random.Generator, customer_ids: np.ndarray) -> Columns:
    """About 1% of customers opted out of one channel or of all marketing, within the last two years."""
    chosen = customer_ids[rng.random(int(customer_ids.shape[0])) < 0.01]
    size = int(chosen.shape[0])
    channel = p.weighted_choice(rng, tuple(w for _, w in p.OPT_OUT_CHANNELS), size)
    return {
        "customer_id": chosen,
        "channel": channel.astype(np.int16),
        "offset_seconds": -rng.integers(1, 720, size) * _SECONDS_PER_DAY
        + rng.integers(0, _SECONDS_PER_DAY, size),
    }


def generate_do_not_call(rng: np.random.Generator, customer_ids: np.ndarray) -> Columns:
    """About 0.5% of customers on the do-not-call list today, plus some whose entry already lapsed."""
    chosen = customer_ids[rng.random(int(customer_ids.shape[0])) < 0.0065]
    # Until-offsets in [-45, 180): about four in five entries are still in force on the as-of day.
    return {
        "customer_id": chosen,
        "until_days": rng.integers(-45, 180, int(chosen.shape[0])).astype(np.int32),
    }
