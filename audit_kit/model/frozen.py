"""The base classes of the models: frozen, no unknown keys, and outputs that read back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Frozen(BaseModel):
    """A model that cannot change once made and refuses keys it does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Output(Frozen):
    """A model audit-kit writes as JSON and reads back: its computed fields are written out,
    so reading them back must accept (and drop) them."""

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.model_computed_fields:
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data
