"""The training configuration: a TOML file checked into the repo, validated by pydantic."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model import LABELS

DEFAULT_CONFIG = Path(__file__).resolve().parent / "config.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    train: list[Path]
    dev: list[Path] = []
    test: list[Path] = []


class FeatureConfig(_Strict):
    word_max_ngram: int = Field(2, ge=1, le=3)
    word_min_df: int = Field(2, ge=1)
    char_ngrams: bool = True
    char_min_df: int = Field(3, ge=1)
    char_max_features: int = Field(60_000, ge=1000)
    cue_weight: float = Field(0.25, gt=0)
    # A TF-IDF row is divided by max(its L2 norm, the floor): a note of one or two common
    # words stays near the prior instead of being scaled up to a full note's weight.
    word_norm_floor: float = Field(0.0, ge=0)
    char_norm_floor: float = Field(0.0, ge=0)


class ModelConfig(_Strict):
    C: float = Field(32.0, gt=0)
    class_weight: Literal["balanced"] | None = "balanced"
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    calibration_folds: int = Field(5, ge=2, le=10)
    seed: int = 13
    # liblinear's dual coordinate descent: the same optimum as the primal Newton solver,
    # 2.5x faster on our features (one label, bundled corpus x4).
    dual: bool = True


class AugmentationConfig(_Strict):
    # Share of training notes whose adult person descriptions are swapped for others
    # (labels unchanged): counterfactual augmentation, see training/_augment.py.
    person_swap_share: float = Field(0.0, ge=0, le=1)
    # Share of training notes whose relations ("flatmate", "husband") are swapped for others
    # of the same kind, labels unchanged.
    relation_swap_share: float = Field(0.0, ge=0, le=1)
    # Share of training notes told by another reporter ("Caller states" -> "A nurse says").
    reporter_swap_share: float = Field(0.0, ge=0, le=1)
    seed: int = 13


class ThresholdPolicy(_Strict):
    policy: Literal["best_f1", "min_recall", "fixed"]
    target: float | None = Field(None, gt=0, le=1)
    value: float | None = Field(None, ge=0, le=1)
    # best_f1 only: thresholds whose dev F1 is within this of the best are as good; the one
    # nearest 0.5 is taken (0: the argmax itself).
    tolerance: float | None = Field(None, ge=0, le=0.1)

    @model_validator(mode="after")
    def _needs_parameter(self) -> ThresholdPolicy:
        if self.policy == "min_recall" and self.target is None:
            raise ValueError("policy 'min_recall' needs 'target'")
        if self.policy == "fixed" and self.value is None:
            raise ValueError("policy 'fixed' needs 'value'")
        return self


class TrainConfig(_Strict):
    data: DataConfig
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    augmentation: AugmentationConfig = AugmentationConfig()
    # Run the behaviour suite on the fitted model and put its figures in the model card.
    behaviour_suite: bool = True
    thresholds: dict[str, ThresholdPolicy]

    @model_validator(mode="after")
    def _every_label(self) -> TrainConfig:
        unknown = set(self.thresholds) - set(LABELS)
        missing = set(LABELS) - set(self.thresholds)
        if unknown or missing:
            raise ValueError(f"thresholds must name exactly {list(LABELS)}")
        return self


class ConfigError(Exception):
    pass


def load_config(path: Path = DEFAULT_CONFIG) -> TrainConfig:
    """Parse and validate; relative data paths are resolved against the config's folder."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        config = TrainConfig.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"{path}: {details}") from None
    base = path.resolve().parent
    for split in ("train", "dev", "test"):
        paths = getattr(config.data, split)
        setattr(config.data, split, [(base / p).resolve() for p in paths])
    return config
