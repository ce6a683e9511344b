"""One line for what pydantic found wrong in a YAML file: ``field.path: problem``.

Shared by ``repos.yaml`` (:mod:`loccount.config`) and the release data
(:mod:`loccount.releases.release_data`), which name the file and field alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml
from pydantic import ValidationError


def number_as_text(value: object) -> object:
    """A release id written as a YAML number (``2014.2``, ``2023.1``), as the text it names."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def refuse_number(value: object) -> object:
    """Refuse a YAML number where a name is meant: ``2023.10`` is the number 2023.1, Antelope."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number in YAML, which may not be what was written; quote it: '{value}'")
    return value


def _text_loader(base: type[Any]) -> type[Any]:
    """``base`` (a PyYAML safe loader) with timestamps kept as the text written (``2020-02-30``,
    ``!!timestamp '10000-01-01'``), so that the fields that take dates check them and name the
    field, instead of PyYAML failing with a traceback on a date Python cannot represent."""
    resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in base.yaml_implicit_resolvers.items()
    }
    loader: Any = type(f"Text{base.__name__}", (base,), {"yaml_implicit_resolvers": resolvers})
    loader.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))
    return loader


#: The loaders loccount reads YAML with: safe, with dates as text (the C one where PyYAML has it).
TextSafeLoader = _text_loader(yaml.SafeLoader)
FastTextSafeLoader = _text_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def iso_day(value: object) -> object:
    """A date written as ISO text (``2012-01-31``), checked: a pydantic ``BeforeValidator``."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date like 2012-01-31") from None
    if isinstance(value, datetime):
        return value.date()
    return value


_UNION_TAGS = re.compile(r"^(list|dict|tuple|function-\w+)\[.*\]$|^(SeriesRange|RuleOverride|str|int|none)$")


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _UNION_TAGS.match(part):
            continue  # pydantic's name for a branch of a union, not a field
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _first_error(error: ValidationError, data: Any) -> str:
    details = error.errors(include_url=False)
    best = details[0]
    # For unions pydantic reports every branch; the deepest location says most.
    for detail in details:
        if len(detail["loc"]) > len(best["loc"]):
            best = detail
    location = tuple(best["loc"])
    message = best["msg"].removeprefix("Value error, ")
    if best["type"] == "extra_forbidden":
        message = f"unknown key {location[-1]!r}"
        location = location[:-1]
    if best["type"] == "missing" and location[-1:] == ("url",):
        message = "missing url"
    if best["type"] == "string_pattern_mismatch" and location[-1:] in (("name",), ("deliverable",)):
        message = (
            f"invalid name {best['input']!r}: use 1-200 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if "duplicate project name" in message:
        location = _duplicate_location(data, message)
    return f"{_field_path(location)}: {message}"


def validation_message(error: ValidationError, data: Any) -> str:
    """``field.path: problem`` for the most telling of pydantic's errors."""
    return _first_error(error, data)


def _duplicate_location(data: Any, message: str) -> tuple[int | str, ...]:
    name = message.split("'")[1] if "'" in message else None
    seen = 0
    for index, project in enumerate(data.get("projects", []) if isinstance(data, dict) else []):
        if isinstance(project, dict) and project.get("name") == name:
            seen += 1
            if seen == 2:
                return ("projects", index, "name")
    return ("projects",)
