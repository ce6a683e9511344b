"""A small world for config runs: a synthetic openstack/releases repository, two projects, a config."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from tests.gitrepo import RepoBuilder

SERIES_STATUS = [
    {"name": "kilo", "status": "end of life", "initial-release": date(2020, 3, 1)},
    {"name": "juno", "status": "end of life", "initial-release": date(2020, 2, 1)},
]


def _deliverable(model: str, versions: list[tuple[str, str, str]], branch: tuple[str, str] | None = None) -> str:
    data = {
        "release-model": model,
        "releases": [{"version": v, "projects": [{"repo": f"openstack/{r}", "hash": h}]} for v, h, r in versions],
    }
    if branch:
        data["branches"] = [{"name": branch[0], "location": branch[1]}]
    return yaml.safe_dump(data)


def module(i: int, lines: int) -> str:
    return f"# module {i}\n" + "".join(f"def f{j}(x):\n    '''Doc.'''\n    return x + {j}\n\n" for j in range(lines))


def build_world(root: Path, files_per_project: int = 6, lines: int = 20) -> dict[str, Path]:
    """Two projects (alpha: cycle-with-rc, beta: intermediary) in juno and kilo, and their release data."""
    alpha = RepoBuilder(root / "alpha")
    code = {f"alpha/m{i}.py": module(i, lines) for i in range(files_per_project)}
    tests = {"alpha/tests/test_m.py": "def test():\n    assert True\n"}
    a1 = alpha.release("1.0.0", {**code, **tests}, date="2020-01-20T00:00:00+00:00")
    a2 = alpha.release("2.0.0", {**code, **tests, "alpha/new.py": module(99, lines)}, date="2020-02-20T00:00:00+00:00")
    beta = RepoBuilder(root / "beta")
    b1 = beta.release(
        "0.1.0",
        {"beta/core.py": module(1, lines), "beta/tests/test_core.py": "x = 1\n"},
        date="2020-01-10T00:00:00+00:00",
    )
    b2 = beta.release(
        "0.2.0",
        {"beta/core.py": module(2, lines), "beta/tests/test_core.py": "x = 2\n"},
        date="2020-02-25T00:00:00+00:00",
    )
    releases = RepoBuilder(root / "releases")
    releases.release(
        None,
        {
            "data/series_status.yaml": yaml.safe_dump(SERIES_STATUS),
            "deliverables/juno/alpha.yaml": _deliverable(
                "cycle-with-rc", [("1.0.0", a1, "alpha")], ("stable/juno", "1.0.0")
            ),
            "deliverables/kilo/alpha.yaml": _deliverable("cycle-with-rc", [("2.0.0", a2, "alpha")]),
            "deliverables/juno/beta.yaml": _deliverable("cycle-with-intermediary", [("0.1.0", b1, "beta")]),
            "deliverables/kilo/beta.yaml": _deliverable("cycle-with-intermediary", [("0.2.0", b2, "beta")]),
        },
    )
    return {"alpha": alpha.path, "beta": beta.path, "releases": releases.path}


def write_config(
    path: Path, world: dict[str, Path], *, scheme: str = "", extra_projects: str = "", output: str = "reports"
) -> Path:
    """A repos.yaml for the world; ``scheme='file://'`` makes loccount mirror instead of reading in place."""
    path.write_text(
        f"releases_url: '{scheme}{world['releases']}'\n"
        f"output: {output}\n"
        "series: {from: juno, to: latest}\n"
        "projects:\n"
        f"  - name: alpha\n    url: '{scheme}{world['alpha']}'\n"
        f"  - name: beta\n    url: '{scheme}{world['beta']}'\n" + extra_projects
    )
    return path
