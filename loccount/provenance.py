"""What produced a set of figures: every output carries one record, written once per run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from loccount.errors import LoccountError


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Versions, counting method and test rules behind a table, and what the run selected."""

    __pydantic_config__ = ConfigDict(extra="ignore")

    loccount: str
    pygount: str
    pygments: str
    python: str
    lexer_loop: str
    counter_fingerprint: str
    #: How pygount's line decisions were made: loccount's exact fast path or pygount's own code.
    line_counting: str = "pygount"
    test_rules: tuple[str, ...]
    run_at: str
    release_data_commit: str | None = None
    series: tuple[str, ...] = ()
    failures: Mapping[str, str] = field(default_factory=dict)
    #: How each project's releases are ordered: series, version (PEP 440) or date.
    release_order: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: Projects selected but not counted, with why: no release in the series, no files of the languages.
    skipped: Mapping[str, str] = field(default_factory=dict)
    #: Each selected project's OpenStack deliverable (failed and skipped ones too), where it has one.
    deliverable_of: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["failures"] = dict(self.failures)
        data["release_order"] = dict(self.release_order)
        data["skipped"] = dict(self.skipped)
        data["deliverable_of"] = dict(self.deliverable_of)
        return json.dumps(data, indent=2)


_ADAPTER: TypeAdapter[Provenance] = TypeAdapter(Provenance)


@dataclass(frozen=True, kw_only=True)
class Selection:
    """How the releases of a count were chosen, as its provenance records it: the release data
    and series of a config run, the projects that failed, each project's release order, notes."""

    release_data_commit: str | None = None
    series: Sequence[str] = ()
    failures: Mapping[str, str] = field(default_factory=dict)
    release_order: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)
    deliverable_of: Mapping[str, str] = field(default_factory=dict)


def make_provenance(counter: Mapping[str, str], rules: Sequence[str], selection: Selection) -> Provenance:
    """The record for a run: ``counter`` holds the pygount, pygments, python, lexer_loop,
    line_counting and counter_fingerprint entries that :func:`loccount.counting.count.describe`
    reports; ``rules`` each test rule's description."""
    return Provenance(
        loccount=version("loccount"),
        pygount=counter["pygount"],
        pygments=counter["pygments"],
        python=counter["python"],
        lexer_loop=counter["lexer_loop"],
        line_counting=counter["line_counting"],
        counter_fingerprint=counter["counter_fingerprint"],
        test_rules=tuple(dict.fromkeys(rules)),
        run_at=datetime.now(UTC).isoformat(timespec="seconds"),
        release_data_commit=selection.release_data_commit,
        series=tuple(selection.series),
        failures=dict(selection.failures),
        release_order=dict(selection.release_order),
        notes=tuple(selection.notes),
        skipped=dict(selection.skipped),
        deliverable_of=dict(selection.deliverable_of),
    )


def parse_provenance(data: Any, source: str) -> Provenance:
    """A record read back from JSON; a wrong shape is one line naming the file and field."""
    if isinstance(data, dict) and isinstance(data.get("test_rules"), str):
        data = {**data, "test_rules": [rule for rule in data["test_rules"].split(" | ") if rule]}
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise LoccountError(f"{source}: {where}: {first['msg']}") from None
