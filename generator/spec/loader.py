"""Read a spec file into plain data, remembering where every key and value stands.

PyYAML's composer keeps line/column marks on every node; we build the data from
the nodes ourselves so that each field path maps to a position, and so that a
duplicate key (which PyYAML's constructor accepts silently) is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecErrors, format_path

FieldPath = tuple[str | int, ...]


@dataclass
class LoadedSpec:
    """A spec's data with the position of each value and each mapping key."""

    file: str
    data: Any
    value_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of path, or of its nearest known parent."""
        marks = self.key_marks if key else self.value_marks
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in marks:
                return marks[prefix]
            if prefix in self.value_marks:
                return self.value_marks[prefix]
        return (1, 1)

    def error(self, path: FieldPath, message: str, *, key: bool = False) -> SpecError:

        line, column = self.position(path, key=key)
        return SpecError(self.file, line, column, format_path(path), message)


# libyaml's parser keeps the same marks and is several times faster.
_PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.errors: list[SpecError] = []
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.spec.value_marks[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                self.errors.append(
                    SpecError(self.spec.file, line, col, "", "a mapping key must be a plain value")
                )
                continue
            key = self.constructor.construct_object(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key_node.value)
            child = path + (key,)
            if key in result:
                first = self.spec.key_marks[child]
                line, col = _mark(key_node)

                self.errors.append(
                    SpecError(
                        self.spec.file,
                        line,
                        col,
                        format_path(child),
                        f"duplicate key; first given at line {first[0]}",
                    )
                )
                continue
            self.spec.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        return result


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's complaint in the spec author's terms where we know what it means."""
    problem = exc.problem or "not valid YAML"
    mark = exc.problem_mark
    if mark is not None:
        line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        if "\t" in line[: len(line) - len(line.lstrip())]:
            return "a tab indents this line; YAML indents with spaces only"
    if "expected a single document" in problem or "but found another document" in problem:
        return "this file holds more than one YAML document (---): one service per spec file"
    return f"YAML syntax error: {problem}"


def load_spec_text(text: str, file: str) -> LoadedSpec:
    """Parse one spec document; raise SpecErrors for YAML that cannot be read."""
    spec = LoadedSpec(file=file, data=None)
    try:
        root = yaml.compose(text, Loader=_PARSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecErrors([SpecError(file, line, col, "", _yaml_problem(exc, text))]) from None
    except yaml.YAMLError as exc:
        raise SpecErrors([SpecError(file, 1, 1, "", f"YAML error: {exc}")]) from None
    if root is None:
        raise SpecErrors([SpecError(file, 1, 1, "", "the spec is empty; expected a mapping")])
    builder = _Builder(spec)
    try:
        spec.data = builder.build(root, ())
    except yaml.YAMLError as exc:
        line, col = _mark(root)
        raise SpecErrors([SpecError(file, line, col, "", f"YAML error: {exc}")]) from None
    if builder.errors:
        raise SpecErrors(builder.errors)
    if not isinstance(spec.data, dict):
        line, col = _mark(root)
        kind = type(spec.data).__name__
        raise SpecErrors([SpecError(file, line, col, "", f"a spec must be a mapping; got {kind}")])
    return spec


def load_spec_file(path: Path) -> LoadedSpec:
    """Read and parse one spec file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecErrors([SpecError(str(path), 1, 1, "", f"cannot read the spec: {exc}")]) from None
    return load_spec_text(text, str(path))
