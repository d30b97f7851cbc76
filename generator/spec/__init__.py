"""Spec files in, a validated typed model out.

Belongs here: finding spec files (`sources`), reading YAML with line/column marks
(`loader`), the typed model with every field's type, default, allowed values and
description (`model`), the rules that span fields (`validate`), the one error type
(`errors`), and the documents generated from the model (`schema`: JSON Schema, the
field reference in docs/spec-reference.md). A new spec field starts in `model.py`.
"""
