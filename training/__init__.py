"""rightcall's fitting side: the training config, fitting and calibration, thresholds, and
writing a versioned artefact (`rightcall train`)."""

from ._config import DEFAULT_CONFIG, ConfigError, TrainConfig, load_config
from ._fit import fit
from ._thresholds import tune_threshold
from ._train import TrainResult, train

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "TrainConfig",
    "TrainResult",
    "fit",
    "load_config",
    "train",
    "tune_threshold",
]
