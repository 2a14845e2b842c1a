"""rightcall's offline side: data loading and validation, training, evaluation, batch scoring."""

from ._config import ConfigError, TrainConfig, load_config
from ._data import ColumnMapping, DataError, NoteSet, Problem, load_notes
from ._gates import OPERATORS as GATE_OPERATORS
from ._gates import GateError
from ._train import TrainResult, train

__all__ = [
    "ColumnMapping",
    "ConfigError",
    "DataError",
    "GATE_OPERATORS",
    "GateError",
    "NoteSet",
    "Problem",
    "TrainConfig",
    "TrainResult",
    "load_config",
    "load_notes",
    "train",
]
