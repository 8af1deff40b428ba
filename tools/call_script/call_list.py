"""The call list (外呼名单) of one published script for one day: who may hear it, and why not the others.

Every fact it holds comes from the tag store file and the bank's date: consent and store opt-outs, the store's
do-not-call table, the audience expression, the credit/suitability exclusions and the 30-day contact history
the store was refreshed with. The store file is immutable between rebuilds (a rebuild replaces it atomically,
changing its ``FileSignature``), so for a given (audience, file, day) the answer never changes and one DuckDB
query answers it for every customer at once; the voice bot's pull then costs a binary search, not a query.

What changes during the day lives in the operational database (refusals on calls, today's attempts) and is
checked by the call gate on every pull, never here.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from core.domain import ProductType
from tools.tag_store.bitmap import FileSignature
from tools.tag_store.compile import ParamBag, compile_where
from tools.tag_store.errors import TagStoreError
from tools.tag_store.exclusions import RiskLevel, SelectionContext, applicable_steps, exclusion_case
from tools.tag_store.expression import validate_expression
from tools.tag_store.store import TagStore

CALLABLE = "callable"
NOT_MATCHED = "not_matched"
STORE_BLOCKS = ("opted_out", "do_not_call")  # reported as their own refusal codes, before audience reasons
# Position in this tuple is the code stored per customer; 0 means the script may be played to them.
VERDICTS: tuple[str, ...] = (
    CALLABLE, *STORE_BLOCKS, NOT_MATCHED, "minor", "student", "overdue", "suitability", "frequency_cap",
)  # fmt: skip
HONORIFICS = {"男": "先生", "女": "女士"}
UNKNOWN_HONORIFIC = "先生/女士"


@dataclass(frozen=True)
class CallListKey:
    """What a call list depends on; any change makes a new key (the cache's invalidation rule)."""

    publication_id: str
    audience_version: str
    store_signature: FileSignature
    day: date


class CallList:
    """Sorted customer ids with one verdict code each, plus the script variables of the callable ones."""

    def __init__(
        self,
        ids: npt.NDArray[np.int64],
        codes: npt.NDArray[np.uint8],
        names: dict[int, tuple[str, str | None]],
    ) -> None:
        if ids.shape != codes.shape or (ids.size > 1 and bool(np.any(ids[1:] <= ids[:-1]))):
            raise TagStoreError("a call list needs strictly increasing ids with one verdict each")
        self._ids = ids
        self._codes = codes
        self._names = names
        # Plain-Python copies for the per-pull lookup: bisect on an array is a few times faster than a numpy call.
        self._id_array = array("q", ids.astype(np.int64).tobytes())
        self._code_bytes = codes.astype(np.uint8).tobytes()

    def __len__(self) -> int:
        return int(self._ids.size)

    @property
    def callable_count(self) -> int:
        return len(self._names)

    def verdict(self, lead_id: int) -> str | None:
        """``callable``, an exclusion code (``opted_out``, ``student``, ``not_matched``...), or None if unknown."""
        index = bisect_left(self._id_array, lead_id)
        if index >= len(self._id_array) or self._id_array[index] != lead_id:
            return None
        return VERDICTS[self._code_bytes[index]]

    def ids_with(self, verdict: str, limit: int) -> list[int]:
        """Up to ``limit`` lowest ids with this verdict (load tests and demos pick leads of each kind)."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}; expected one of {list(VERDICTS)}")
        matching = self._ids[self._codes == VERDICTS.index(verdict)]
        return [int(i) for i in matching[: max(limit, 0)]]

    def script_variables(self, lead_id: int) -> dict[str, str]:
        """The builder's per-lead variables for a callable lead (KeyError for any other id)."""
        surname, gender = self._names[lead_id]
        return {"customer_surname": surname, "honorific": HONORIFICS.get(gender or "", UNKNOWN_HONORIFIC)}


def build_call_list(store: TagStore, audience: dict[str, Any]) -> CallList:
    """Evaluate a campaign's approved audience (as stored on the campaign) for every customer of ``store``.

    The exclusions are the store's own (``tools.tag_store.exclusions``) with the call channel always included,
    so do-not-call and call opt-outs apply even when the audience was approved for other channels too.
    """
    expression = validate_expression(audience["expression"], store.catalog)
    channels = list(dict.fromkeys([*audience.get("channels", []), "call_script"]))
    ctx = SelectionContext.checked(
        product_type=_product_type(audience), channels=channels, product_risk_level=_risk(audience),
        extra=None, today=store.today(), frequency_caps=store.frequency_caps,
    )  # fmt: skip
    params = ParamBag()
    where = compile_where(expression, store.catalog, params, today=ctx.today)
    steps = applicable_steps(ctx)
    first = [step for step in steps if step.code in STORE_BLOCKS]
    rest = [step for step in steps if step.code not in STORE_BLOCKS]
    verdict = (
        f"COALESCE({exclusion_case(first, ctx, params)}, "
        f"CASE WHEN ({where}) IS NOT TRUE THEN '{NOT_MATCHED}' END, {exclusion_case(rest, ctx, params)})"
    )
    sql = (
        f"WITH judged AS (SELECT c.customer_id, c.surname, c.gender, "
        f"COALESCE(list_position({params.add(list(VERDICTS))}, {verdict}), 1) - 1 AS code "
        "FROM customers AS c) "
        "SELECT customer_id::BIGINT AS id, code::UTINYINT AS code, "
        "CASE WHEN code = 0 THEN surname END AS surname, CASE WHEN code = 0 THEN gender END AS gender "
        "FROM judged ORDER BY customer_id"
    )
    return _fetch(store, sql, params.values)


def _fetch(store: TagStore, sql: str, params: dict[str, Any]) -> CallList:
    if not store.path.is_file():
        raise TagStoreError(f"tag store not found at {store.path}; build it first (build_demo_tag_store)")
    try:
        with closing(duckdb.connect(str(store.path), read_only=True)) as connection:
            columns = connection.execute(sql, params).fetchnumpy()
    except duckdb.Error as exc:
        raise TagStoreError(f"building the call list failed: {exc}") from exc
    ids = np.asarray(columns["id"], dtype=np.int64)
    codes = np.asarray(columns["code"], dtype=np.uint8)
    callable_at = np.flatnonzero(codes == 0)
    surnames, genders = np.ma.getdata(columns["surname"]), np.ma.getdata(columns["gender"])
    names = {int(ids[i]): (_text(surnames[i]) or "", _text(genders[i])) for i in callable_at}
    return CallList(ids, codes, names)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _product_type(audience: dict[str, Any]) -> ProductType | None:
    value: ProductType | None = audience.get("product_type")
    return value


def _risk(audience: dict[str, Any]) -> RiskLevel | None:
    value: RiskLevel | None = audience.get("product_risk_level")
    return value
