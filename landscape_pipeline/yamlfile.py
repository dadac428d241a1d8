"""Read a YAML file into a pydantic model, with every error pointing at the file's line and what to fix.

Generic: the mapping files of local extracts and the site register both load through
:func:`load_model`. The YAML is composed once to learn the line of every key and item, so a
pydantic error located at ``('indicators', 2, 'unit')`` is reported at the line of that key.
Duplicate keys and leftover ``TODO`` markers (from ``landscape map init``) are refused before the
model sees the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from landscape_pipeline.errors import SourceDataError

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]
TODO = "TODO"
#: libyaml's safe loader where PyYAML was built with it (about 8x faster on the bundled files), else the
#: pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(SourceDataError):
    """A YAML description file is wrong: names the file, the line and what to fix."""


@dataclass(frozen=True)
class Loaded(Generic[Model]):
    """A validated model with the file it came from and the line of every key and item."""

    model: Model
    path: Path
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Return the line of the deepest part of ``loc`` present in the file (None if none is)."""
        return locate(self.lines, loc)

    def error(self, loc: Sequence[str | int], message: str) -> YamlFileError:
        """Return an error at ``loc`` of this file."""
        return YamlFileError(self.path, f"{_dotted(loc)}: {message}" if loc else message,
                             line=self.line_of(loc))


def locate(lines: dict[Loc, int], loc: Sequence[str | int]) -> int | None:
    """Return the line of the deepest prefix of ``loc`` in ``lines``; parts not in the file are skipped.

    Pydantic inserts union tags (``'Fill'``, ``'str'``) into locations; skipping unknown parts keeps
    the walk on the keys the user wrote.
    """
    path: Loc = ()
    best = lines.get(())
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
            best = lines[candidate]
    return best


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _walk(node: yaml.Node, path: Loc, lines: dict[Loc, int], problems: list[tuple[int, str]]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append((line, f"'{key}' appears twice (lines {seen[key]} and {line}); keep one."))
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, problems)
    elif isinstance(node, yaml.ScalarNode) and TODO in str(node.value):
        where = _dotted(path) or "the file"
        problems.append((node.start_mark.line + 1, f"{where} is still a draft ({node.value!r}); replace the TODO "
                                                   "with the real value."))


def read_yaml(path: Path) -> tuple[object, dict[Loc, int]]:
    """Return (data, {location: line}) of a YAML file; syntax errors, duplicates and TODOs raise."""
    path = Path(path)
    if not path.exists():
        raise YamlFileError(path, "does not exist.")
    text = path.read_text(encoding="utf-8-sig")
    loader = _LOADER(text)
    try:  # one parse: the node tree gives the lines, and the data are constructed from it
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlFileError(path, f"is not valid YAML ({problem}); check indentation and quotes.",
                            line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    problems: list[tuple[int, str]] = []
    if node is not None:
        _walk(node, (), lines, problems)
    if problems:
        line, message = min(problems)
        more = f" ({len(problems) - 1} more problem(s) after it.)" if len(problems) > 1 else ""
        raise YamlFileError(path, message + more, line=line)
    return data, lines


def _message(error: dict) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return f"'{loc[-1]}' is required here; add it."
    if kind == "extra_forbidden":
        return f"'{loc[-1]}' is not a key this file knows; remove it or check its spelling."
    text = error["msg"].removeprefix("Value error, ")
    return text if text.endswith(".") else text + "."


def load_model(path: Path | str, model: type[Model], *, what: str) -> Loaded[Model]:
    """Return the file validated as ``model``; the first error raises naming its line and the fix."""
    path = Path(path)
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise YamlFileError(path, f"is not a {what}: it must be a YAML mapping of keys to values.", line=1)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: locate(lines, e["loc"]) or 0)
        first = errors[0]
        where = first["loc"][:-1] if first["type"] in ("missing", "extra_forbidden") else first["loc"]
        loc = [p for p in where if isinstance(p, int) or p in _keys(lines)]
        more = f" ({len(errors) - 1} more problem(s) after it.)" if len(errors) > 1 else ""
        raise YamlFileError(path, f"{_dotted(loc) + ': ' if loc else ''}{_message(first)}{more}",
                            line=locate(lines, first["loc"])) from None
    return Loaded(validated, path, lines)


def _keys(lines: dict[Loc, int]) -> set[str]:
    return {p for loc in lines for p in loc if isinstance(p, str)}
