"""The spec's JSON Schema, generated from the typed model (never written by hand)."""

from __future__ import annotations

from typing import Any

from .model import Spec


def spec_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Pipeline service spec (v1)",
        **schema,
    }
