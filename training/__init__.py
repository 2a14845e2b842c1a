"""rightcall's offline side: data loading and validation, training, evaluation, batch scoring."""

from ._audit import audit_notes
from ._config import ConfigError, TrainConfig, load_config
from ._data import ColumnMapping, DataError, NoteSet, Problem, load_notes
from ._train import TrainResult, train

__all__ = [
    "ColumnMapping",
    "ConfigError",
    "DataError",
    "NoteSet",
    "Problem",
    "TrainConfig",
    "TrainResult",
    "audit_notes",
    "load_config",
    "load_notes",
    "train",
]
