"""rightcall's fitting side: the training config, fitting and calibration, thresholds, and
writing a versioned artefact (`rightcall train`)."""

from ._audit import AuditSettings, audit_notes
from ._audit_terms import BUNDLED_TERMS as BUNDLED_AUDIT_TERMS
from ._audit_terms import AuditTerm, TermsError, load_audit_terms, words_pattern
from ._augment import (
    RELATIONS,
    REPORTERS,
    REPORTING_VERBS,
    AugmentResult,
    swap_persons,
    swap_relations,
    swap_reporters,
)
from ._config import DEFAULT_CONFIG, ConfigError, ThresholdPolicy, TrainConfig, load_config
from ._fit import fit
from ._thresholds import tune_threshold
from ._train import TrainResult, train

__all__ = [
    "RELATIONS",
    "REPORTERS",
    "REPORTING_VERBS",
    "AugmentResult",
    "swap_persons",
    "swap_relations",
    "swap_reporters",
    "DEFAULT_CONFIG",
    "ConfigError",
    "ThresholdPolicy",
    "TrainConfig",
    "TrainResult",
    "fit",
    "audit_notes",
    "AuditSettings",
    "BUNDLED_AUDIT_TERMS",
    "TermsError",
    "load_audit_terms",
    "AuditTerm",
    "words_pattern",
    "load_config",
    "train",
    "tune_threshold",
]
