"""Tag store: the tag catalog, the audience DSL, and a DuckDB engine that applies policy exclusions.

Typical use::

    catalog = TagCatalog.default()
    expression = validate_expression({"tag": "credit_granted", "op": "eq", "value": True}, catalog)
    result = TagStore(settings.tag_store_path).select(expression, product_type="consumer_loan", channels=["sms"])
"""

from tools.tag_store.catalog import DEFAULT_CATALOG_PATH, TagCatalog, UnknownTagError
from tools.tag_store.compile import CompiledQuery, ParamBag, compile_count, compile_where
from tools.tag_store.demo_data import DemoDataError, DemoStats, build_demo_tag_store
from tools.tag_store.errors import (
    CatalogError,
    ExpressionError,
    ExpressionIssue,
    SelectionError,
    TagStoreError,
)
from tools.tag_store.exclusions import EXCLUSION_STEPS, FREQUENCY_CAPS_30D, ExtraExclusions, RiskLevel
from tools.tag_store.expression import parse_expression, validate_expression
from tools.tag_store.nodes import AndNode, AudienceExpression, NotContacted, NotNode, OrNode, TagCondition
from tools.tag_store.results import AudienceResult, ExclusionCount, LeadRecord
from tools.tag_store.store import TagStore
from tools.tag_store.tags import Band, Preset, TagDef

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "EXCLUSION_STEPS",
    "FREQUENCY_CAPS_30D",
    "AndNode",
    "AudienceExpression",
    "AudienceResult",
    "Band",
    "CatalogError",
    "CompiledQuery",
    "DemoDataError",
    "DemoStats",
    "ExclusionCount",
    "ExpressionError",
    "ExpressionIssue",
    "ExtraExclusions",
    "LeadRecord",
    "NotContacted",
    "NotNode",
    "OrNode",
    "ParamBag",
    "Preset",
    "RiskLevel",
    "SelectionError",
    "TagCatalog",
    "TagCondition",
    "TagDef",
    "TagStore",
    "TagStoreError",
    "UnknownTagError",
    "build_demo_tag_store",
    "compile_count",
    "compile_where",
    "parse_expression",
    "validate_expression",
]
