"""OpenStack series resolution on a small synthetic openstack/releases repository."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from loccount.errors import ReleaseError
from loccount.gitio.mirror import open_local
from loccount.releases.release_data import ReleaseData, resolve_project
from loccount.releases.series import canonical_series, choose_version, is_final, select_series
from loccount.releases.tags import list_tags

SERIES_STATUS = [
    {"name": "hibiscus", "release-id": "2026.2", "status": "development", "initial-release": date(2020, 6, 1)},
    {"name": "kilo", "status": "end of life", "initial-release": date(2020, 3, 1)},
    {"name": "juno", "status": "end of life", "initial-release": date(2020, 2, 1)},
    {"name": "icehouse", "status": "end of life", "initial-release": date(2020, 1, 15)},
]


def deliverable(model: str, versions: list[tuple[str, str]], branch: tuple[str, str] | None = None) -> dict:
    data = {
        "release-model": model,
        "releases": [{"version": v, "projects": [{"repo": f"openstack/{repo}", "hash": h}]} for v, h, repo in versions],
    }
    if branch:
        data["branches"] = [{"name": branch[0], "location": branch[1]}]
    return data


@pytest.fixture
def world(make_repo):
    alpha = make_repo("alpha")
    c = {}
    c["2014.1"] = alpha.release("2014.1", {"a.py": "a = 0\n"}, date="2020-01-10T00:00:00+00:00")
    c["1.0.0.0rc1"] = alpha.release("1.0.0.0rc1", {"a.py": "a = 1\n"}, date="2020-01-20T00:00:00+00:00")
    c["1.0.0"] = alpha.release("1.0.0", {"a.py": "a = 2\n"}, date="2020-01-30T00:00:00+00:00")
    c["1.0.1"] = alpha.release("1.0.1", {"a.py": "a = 3\n"}, date="2020-02-20T00:00:00+00:00")
    c["2.0.0"] = alpha.release("2.0.0", {"a.py": "a = 4\n"}, date="2020-02-25T00:00:00+00:00")
    beta = make_repo("beta")
    b = {}
    b["0.1.0"] = beta.release("0.1.0", {"b.py": "b = 1\n"}, date="2020-01-05T00:00:00+00:00")
    b["0.2.0"] = beta.release("0.2.0", {"b.py": "b = 2\n"}, date="2020-02-01T18:00:00+00:00")
    b["0.3.0"] = beta.release("0.3.0", {"b.py": "b = 3\n"}, date="2020-02-10T00:00:00+00:00")
    b["0.4.0"] = beta.release("0.4.0", {"b.py": "b = 4\n"}, date="2020-02-20T00:00:00+00:00")
    files = {
        "data/series_status.yaml": yaml.safe_dump(SERIES_STATUS),
        "deliverables/icehouse/alpha.yaml": yaml.safe_dump(
            deliverable("cycle-with-milestones", [("2014.1", c["2014.1"], "alpha")])
        ),
        # a pre-release branch location means the first final version after it
        "deliverables/juno/alpha.yaml": yaml.safe_dump(
            deliverable(
                "cycle-with-rc",
                [(v, c[v], "alpha") for v in ("1.0.0.0rc1", "1.0.0", "1.0.1")],
                ("stable/juno", "1.0.0.0rc1"),
            )
        ),
        # a final branch location is taken as it is
        "deliverables/kilo/alpha.yaml": yaml.safe_dump(
            deliverable("cycle-with-rc", [("2.0.0", c["2.0.0"], "alpha")], ("stable/kilo", "2.0.0"))
        ),
        # intermediary: the last final version tagged on or before the series date (juno: 2020-02-01)
        "deliverables/juno/beta.yaml": yaml.safe_dump(
            deliverable("cycle-with-intermediary", [(v, b[v], "beta") for v in ("0.1.0", "0.2.0", "0.3.0")])
        ),
        # nothing final: no release in that series
        "deliverables/kilo/beta.yaml": yaml.safe_dump(
            deliverable("cycle-with-intermediary", [("0.4.0.0b1", b["0.4.0"], "beta")])
        ),
        "deliverables/hibiscus/beta.yaml": yaml.safe_dump(
            deliverable("cycle-with-intermediary", [("0.4.0", b["0.4.0"], "beta")])
        ),
    }
    releases = make_repo("releases")
    releases.release(None, files)
    return {
        "data": ReleaseData(open_local(str(releases.path))),
        "alpha": open_local(str(alpha.path)),
        "beta": open_local(str(beta.path)),
        "alpha_commits": c,
        "beta_commits": b,
    }


def resolve(world, project: str, names=("icehouse", "juno", "kilo", "hibiscus"), explicit=None):
    data = world["data"]
    by_name = {s.name: s for s in data.series()}
    repo = world[project]
    return resolve_project(data, repo, project, project, [by_name[n] for n in names], list_tags(repo), explicit)


def test_series_come_from_the_data_with_dates_and_ids(world) -> None:
    series = {s.name: s for s in world["data"].series()}
    assert series["juno"].date == date(2020, 2, 1)  # the data wins over the built-in table
    assert series["juno"].release_id == "2014.2"  # built-in id where the data has none
    assert series["hibiscus"].release_id == "2026.2" and not series["hibiscus"].released
    assert "austin" not in series  # the data decides which series exist
    ordered = [s.name for s in world["data"].series()]
    assert ordered.index("icehouse") < ordered.index("juno") < ordered.index("kilo") < ordered.index("hibiscus")


def test_every_rule_step(world) -> None:
    alpha = {r.series: r for r in resolve(world, "alpha")}
    assert (alpha["icehouse"].version, alpha["icehouse"].rule) == ("2014.1", "first-final")
    assert (alpha["juno"].version, alpha["juno"].rule) == ("1.0.0", "stable-branch")
    assert alpha["juno"].commit == world["alpha_commits"]["1.0.0"]
    assert (alpha["kilo"].version, alpha["kilo"].rule) == ("2.0.0", "stable-branch")
    assert "hibiscus" not in alpha  # no deliverable: absent, not an error
    beta = {r.series: r for r in resolve(world, "beta")}
    # 0.2.0 is tagged 18:00 UTC on the series day itself: on or before counts
    assert (beta["juno"].version, beta["juno"].rule) == ("0.2.0", "intermediary")
    assert "kilo" not in beta  # only a beta release in kilo
    assert beta["hibiscus"].version == "0.4.0"


def test_records_carry_everything(world) -> None:
    juno = next(r for r in resolve(world, "alpha") if r.series == "juno")
    assert juno.release_id == "2014.2"
    assert juno.series_date == date(2020, 2, 1)
    assert juno.tag == "1.0.0"
    assert juno.date.isoformat().startswith("2020-01-30")
    assert juno.project == "alpha"


def test_explicit_tags_win(world) -> None:
    beta = {r.series: r for r in resolve(world, "beta", explicit={"juno": "0.3.0"})}
    assert (beta["juno"].version, beta["juno"].rule) == ("0.3.0", "explicit-tag")
    with pytest.raises(ReleaseError, match=r"tag '9\.9' given for juno does not exist"):
        resolve(world, "beta", explicit={"juno": "9.9"})
    from tests.gitrepo import git

    git(Path(world["beta"].working_tree_dir), "tag", "-a", "-m", "a tree", "at-tree", "HEAD^{tree}")
    with pytest.raises(ReleaseError, match=r"tag 'at-tree' given for juno points at a tree, not a commit"):
        resolve(world, "beta", explicit={"juno": "at-tree"})


def test_selection_of_series(world) -> None:
    from loccount.config import SeriesRange

    every = world["data"].series()
    picked = select_series(every, SeriesRange.model_validate({"from": "icehouse", "to": "latest"}))
    assert [s.name for s in picked] == ["icehouse", "juno", "kilo"]  # hibiscus is still in development
    assert [s.name for s in select_series(every, ["kilo", "juno"])] == ["kilo", "juno"]
    assert [s.name for s in select_series(every, SeriesRange.model_validate({"from": "juno", "to": "hibiscus"}))] == [
        "juno",
        "kilo",
        "hibiscus",
    ]


def test_choose_version_without_dates_falls_back_to_first_final() -> None:
    data = deliverable("cycle-with-intermediary", [("1.0.0", "a" * 40, "x"), ("1.1.0", "b" * 40, "x")])
    from loccount.releases.series import Series

    shipped = choose_version(data, Series("juno", "2014.2", date(2014, 10, 16)), {"x"}, lambda _v, _c: None)
    assert (shipped.version, shipped.rule) == ("1.0.0", "first-final")


@pytest.mark.parametrize(
    ("version", "final"),
    [("2014.2", True), ("12.0.0", True), ("2015.1.0", True), ("12.0.0.0rc1", False), ("2015.1.0b1", False),
     ("2013.1.g3", False), ("ussuri-eol", False), ("1", False)],
)  # fmt: skip
def test_final_versions(version: str, final: bool) -> None:
    assert is_final(version) is final


def test_series_names_and_ids() -> None:
    assert canonical_series("Juno") == "juno"
    assert canonical_series("2014.2") == "juno"
    assert canonical_series("2026.1") == "gazpacho"
    assert canonical_series("nope") is None
