"""Recipes: a named, measured set of settings that trains one application to useful quality, picked with
one flag (`rnnlab train --task sentiment --model gru --recipe cpu`).

A task's suggested settings (data/tasks/registry.py) are a sound start for a short run; a recipe is what a
run needs to reach the quality its application is used for: size, layers, dropout, the optimiser and its
schedule, early stopping on the validation split, and the task's own options (a sub-word vocabulary and
label smoothing for translation, the whole validation text for a language model, ...). Families differ
(a tanh RNN wants a lower learning rate than a GRU, a Transformer a warm-up), so a recipe holds settings
common to all models and, per model family, what differs.

    recipe = find_recipe("sentiment", "cpu")          # train/recipe_book.py
    recipe.settings("gru")                            # Settings: common, then the GRU family's own
    recipe.reaches                                    # what it measured, on which split, in how long

What a user gives on the command line wins over the recipe, and the recipe wins over the task's
suggestions: `--recipe cpu --hidden 64` is the cpu recipe with H = 64. Two recipes per application:

    cpu   sized for 2 CPU cores and about 45 minutes of training at most per run; measured
    gpu   sized for one GPU (wider, deeper, bigger batches); says whether it was measured

Every number a recipe states comes from benchmarks/results/applications-converged.md (the study scripts
scripts/*_study.sh run the recipes); a recipe not measured yet says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from rnnlab.models.registry import Family, ModelConfig, traits
from rnnlab.train.loop import TrainConfig

RecipeName = Literal["cpu", "gpu"]
RECIPE_NAMES: tuple[RecipeName, ...] = ("cpu", "gpu")


@dataclass(frozen=True)
class Settings:
    """ModelConfig and TrainConfig fields a recipe sets; None leaves the field to the task's suggestion."""

    # ModelConfig
    hidden_size: int | None = None
    num_layers: int | None = None
    bidirectional: bool | None = None
    dropout: float | None = None
    embed_size: int | None = None
    num_heads: int | None = None
    max_len: int | None = None
    attention: str | None = None
    attention_placement: str | None = None
    pooling: str | None = None
    # TrainConfig
    lr: float | None = None
    batch_size: int | None = None
    steps: int | None = None
    eval_every: int | None = None
    warmup_steps: int | None = None
    decay: str | None = None
    weight_decay: float | None = None
    clip: float | None = None
    max_seconds: float | None = None
    plateau_evals: int | None = None
    plateau_delta: float | None = None
    stop_when_solved: bool | None = None

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in dataclasses.asdict(self).items() if value is not None}

    def model_options(self) -> dict[str, Any]:
        """The ModelConfig fields set."""
        return {k: v for k, v in self.given().items() if k in MODEL_FIELDS}

    def train_options(self) -> dict[str, Any]:
        """The TrainConfig fields set."""
        return {k: v for k, v in self.given().items() if k in TRAIN_FIELDS}

    def then(self, other: Settings) -> Settings:
        """These settings with `other`'s given fields on top."""
        return dataclasses.replace(self, **other.given())


MODEL_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelConfig))
TRAIN_FIELDS = frozenset(f.name for f in dataclasses.fields(TrainConfig))


@dataclass(frozen=True)
class Recipe:
    """One application's recipe (see the module docstring)."""

    task: str
    name: RecipeName
    reaches: str  # what it reaches, on which split, in how long, and where that was measured; or "not measured"
    task_options: dict[str, Any] = field(default_factory=dict)  # the task config's fields
    common: Settings = Settings()
    families: dict[Family, Settings] = field(default_factory=dict)  # by ModelTraits.family: what differs

    def settings(self, model: str) -> Settings:
        """The settings for model `model`: the common ones, then its family's."""
        return self.common.then(self.families.get(traits(model).family, Settings()))
