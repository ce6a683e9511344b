"""What became of each selected deliverable: counted, skipped (nothing to count) or failed.

A run over hundreds of OpenStack deliverables must say how many it counted and which it
did not, and why; a deliverable of several repositories failed if one of them did, and was
skipped only if none of them had anything to count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd


class Outcome(StrEnum):
    COUNTED = "counted"
    SKIPPED = "skipped"
    FAILED = "failed"


def projects_without_files(tidy: pd.DataFrame) -> list[str]:
    """Projects none of whose releases holds a file of the counted languages, in table order."""
    files = tidy.groupby("project", sort=False)["files"].sum()
    return [str(name) for name, count in files.items() if count == 0]


@dataclass(frozen=True)
class Outcomes:
    """Deliverables (or projects, where there is no deliverable) by outcome, each with its reasons."""

    counted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def line(self, noun: str = "deliverable") -> str:
        """``46 deliverables: 44 counted, 1 skipped, 1 failed``, with the skipped named (the failed
        are said one per line where they are reported)."""
        total = len(self.counted) + len(self.skipped) + len(self.failed)
        parts = [f"{len(self.counted):,} counted", f"{len(self.skipped):,} skipped", f"{len(self.failed):,} failed"]
        text = f"{total:,} {noun}{'' if total == 1 else 's'}: {', '.join(parts)}"
        named = [f"{name} ({reason})" for name, reason in self.skipped.items()]
        if named:
            shown = "; ".join(named[:5]) + (f"; and {len(named) - 5:,} more" if len(named) > 5 else "")
            text += f". Skipped: {shown}"
        return text


def deliverable_outcomes(
    counted: Iterable[str],
    skipped: Mapping[str, str],
    failed: Mapping[str, str],
    deliverable_of: Mapping[str, str],
) -> Outcomes:
    """Group project outcomes by deliverable: failed if any repository failed, else counted if any was."""
    groups: dict[str, dict[Outcome, list[tuple[str, str]]]] = {}
    for outcome, items in (
        (Outcome.COUNTED, [(name, "") for name in counted]),
        (Outcome.SKIPPED, list(skipped.items())),
        (Outcome.FAILED, list(failed.items())),
    ):
        for project, reason in items:
            deliverable = deliverable_of.get(project) or project
            groups.setdefault(deliverable, {}).setdefault(outcome, []).append((project, reason))
    out = Outcomes()
    for deliverable, by in groups.items():
        if Outcome.FAILED in by:
            out.failed[deliverable] = _reasons(deliverable, by[Outcome.FAILED])
        elif Outcome.COUNTED in by:
            out.counted.append(deliverable)
        else:
            out.skipped[deliverable] = _reasons(deliverable, by[Outcome.SKIPPED])
    return out


def _reasons(deliverable: str, items: list[tuple[str, str]]) -> str:
    return "; ".join(reason if project == deliverable else f"{project}: {reason}" for project, reason in items)
