"""Deterministic detectors, one module per kind, and the registry that builds them from rule data.

A rule names its detector by ``type`` and passes ``params``; :func:`build_detector` validates the params
against that kind's model (so a rule file with a typo fails at load, not at check time) and returns the
compiled detector.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tools.compliance.detectors.apr_required import AprRequiredDetector, AprRequiredParams
from tools.compliance.detectors.audience_rules import AudienceDetector, AudienceParams
from tools.compliance.detectors.base import DetectionContext, Detector, Hit
from tools.compliance.detectors.call_opening import CallOpeningDetector, CallOpeningParams
from tools.compliance.detectors.composite import CompositeDetector, CompositeParams
from tools.compliance.detectors.lexicon import LexiconDetector, LexiconParams
from tools.compliance.detectors.metadata import (
    CallPolicyDetector,
    CallPolicyParams,
    MetadataFlagDetector,
    MetadataFlagParams,
    TimeWindowDetector,
    TimeWindowParams,
)
from tools.compliance.detectors.pii import PiiDetector, PiiParams
from tools.compliance.detectors.product_facts import (
    DepositRateDetector,
    DepositRateParams,
    ProductClaimsDetector,
    ProductClaimsParams,
    ProductNumbersDetector,
    ProductNumbersParams,
)
from tools.compliance.detectors.regex import RegexDetector, RegexParams
from tools.compliance.detectors.required_phrase import RequiredPhraseDetector, RequiredPhraseParams
from tools.compliance.detectors.sms_optout import SmsOptoutDetector, SmsOptoutParams
from tools.compliance.detectors.sms_signature import SmsSignatureDetector, SmsSignatureParams

DetectorFactory = Callable[[Mapping[str, object]], Detector]

DETECTOR_FACTORIES: dict[str, DetectorFactory] = {
    "lexicon": lambda raw: LexiconDetector(LexiconParams.model_validate(raw)),
    "regex": lambda raw: RegexDetector(RegexParams.model_validate(raw)),
    "required_phrase": lambda raw: RequiredPhraseDetector(RequiredPhraseParams.model_validate(raw)),
    "pii": lambda raw: PiiDetector(PiiParams.model_validate(raw)),
    "sms_signature": lambda raw: SmsSignatureDetector(SmsSignatureParams.model_validate(raw)),
    "sms_optout": lambda raw: SmsOptoutDetector(SmsOptoutParams.model_validate(raw)),
    "apr_required": lambda raw: AprRequiredDetector(AprRequiredParams.model_validate(raw)),
    "call_opening": lambda raw: CallOpeningDetector(CallOpeningParams.model_validate(raw)),
    "metadata_flag": lambda raw: MetadataFlagDetector(MetadataFlagParams.model_validate(raw)),
    "time_window": lambda raw: TimeWindowDetector(TimeWindowParams.model_validate(raw)),
    "call_policy": lambda raw: CallPolicyDetector(CallPolicyParams.model_validate(raw)),
    "audience": lambda raw: AudienceDetector(AudienceParams.model_validate(raw)),
    "product_numbers": lambda raw: ProductNumbersDetector(ProductNumbersParams.model_validate(raw)),
    "deposit_rate": lambda raw: DepositRateDetector(DepositRateParams.model_validate(raw)),
    "product_claims": lambda raw: ProductClaimsDetector(ProductClaimsParams.model_validate(raw)),
    "composite": lambda raw: CompositeDetector(CompositeParams.model_validate(raw), build_detector),
}
DETECTOR_TYPES: tuple[str, ...] = tuple(DETECTOR_FACTORIES)


def build_detector(detector_type: str, params: Mapping[str, object]) -> Detector:
    """Validate ``params`` for ``detector_type`` and compile the detector.

    Raises:
        ValueError: the type is unknown.
        pydantic.ValidationError: the params do not fit the type's parameter model.
    """
    factory = DETECTOR_FACTORIES.get(detector_type)
    if factory is None:
        raise ValueError(
            f"unknown detector type {detector_type!r}; expected one of {', '.join(DETECTOR_TYPES)}"
        )
    return factory(params)


__all__ = ["DETECTOR_TYPES", "DetectionContext", "Detector", "Hit", "build_detector"]
