"""Deliverables as the project list: repositories by series from synthetic release data.

The world: juno and kilo; ``stor`` is a service of two repositories (stor, stor-extra) in
both; ``oldlib`` a library that retires after juno; ``newsvc`` a service new in kilo;
``jsplug`` a horizon plugin with no Python; ``eolonly`` has only a non-final version in
juno; ``planned`` is a kilo deliverable file without releases. Every file's lines are known:
``code(n)`` is n lines of code and nothing else, so each figure below is a sum by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from loccount.config import parse_config
from loccount.errors import ConfigError
from loccount.releases.deliverables import DeliverableFile, Membership, plan_repositories
from loccount.runs import count_config, plan_config
from tests.cli_helpers import assert_one_line_error, invoke
from tests.gitrepo import RepoBuilder

SERIES_STATUS = [
    {"name": "juno", "status": "end of life", "initial-release": "2020-02-01"},
    {"name": "kilo", "status": "end of life", "initial-release": "2020-03-01"},
]


def code(lines: int) -> str:
    return "".join(f"x{i} = {i}\n" for i in range(lines))


def deliverable(kind: str, team: str, versions: list[tuple[str, dict[str, str]]]) -> str:
    """A deliverable file: each version with the commit of each of its repositories."""
    releases = [
        {"version": version, "projects": [{"repo": f"openstack/{repo}", "hash": sha} for repo, sha in commits.items()]}
        for version, commits in versions
    ]
    return yaml.safe_dump({"type": kind, "team": team, "release-model": "cycle-with-rc", "releases": releases})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deliverables")
    made: dict[str, list[str]] = {}

    def repo(name: str, *trees: dict[str, str]) -> None:
        builder = RepoBuilder(root / name)
        made[name] = [builder.release(f"{i + 1}.0.0", tree) for i, tree in enumerate(trees)]

    repo("stor", {"stor/a.py": code(10), "stor/tests/test_a.py": code(4)}, {"stor/a.py": code(12)})
    repo("stor-extra", {"extra/b.py": code(3)}, {"extra/b.py": code(5), "extra/tests/test_b.py": code(2)})
    repo("oldlib", {"oldlib/c.py": code(7)})
    repo("newsvc", {"newsvc/d.py": code(20), "newsvc/tests/test_d.py": code(20)})
    repo("jsplug", {"static/e.js": "var e = 1;\n"}, {"static/e.js": "var e = 2;\n"})
    repo("eolonly", {"eol/f.py": code(1)})
    stor, extra = made["stor"], made["stor-extra"]
    files = {
        "data/series_status.yaml": yaml.safe_dump(SERIES_STATUS),
        "deliverables/juno/stor.yaml": deliverable(
            "service", "storage", [("1.0.0", {"stor": stor[0], "stor-extra": extra[0]})]
        ),
        "deliverables/kilo/stor.yaml": deliverable(
            "service", "storage", [("2.0.0", {"stor": stor[1], "stor-extra": extra[1]})]
        ),
        "deliverables/juno/oldlib.yaml": deliverable("library", "oslo", [("1.0.0", {"oldlib": made["oldlib"][0]})]),
        "deliverables/kilo/newsvc.yaml": deliverable("service", "new", [("1.0.0", {"newsvc": made["newsvc"][0]})]),
        "deliverables/juno/jsplug.yaml": deliverable(
            "horizon-plugin", "ui", [("1.0.0", {"jsplug": made["jsplug"][0]})]
        ),
        "deliverables/kilo/jsplug.yaml": deliverable(
            "horizon-plugin", "ui", [("2.0.0", {"jsplug": made["jsplug"][1]})]
        ),
        "deliverables/juno/eolonly.yaml": deliverable("other", "misc", [("juno-eol", {"eolonly": made["eolonly"][0]})]),
        "deliverables/kilo/planned.yaml": yaml.safe_dump({"type": "service", "team": "new", "releases": []}),
    }
    RepoBuilder(root / "releases").release(None, files)
    return root


def config_text(world: Path, types: str = "all", extra: str = "") -> str:
    return (
        f"releases_url: '{world / 'releases'}'\n"
        "series: [juno, kilo]\n"
        f"deliverables:\n  types: {types}\n  url: '{world}/{{name}}'\n{extra}"
    )


def test_plan_follows_each_series(world: Path, tmp_path: Path) -> None:
    plan = plan_config(parse_config(config_text(world), "c.yaml"), options=_options(tmp_path))
    shipped = {
        name: [(r.series, r.version, r.deliverable, r.deliverable_type, r.team) for r in planned.releases]
        for name, planned in plan.projects.items()
    }
    assert shipped == {
        "eolonly": [],
        "jsplug": [
            ("juno", "1.0.0", "jsplug", "horizon-plugin", "ui"),
            ("kilo", "2.0.0", "jsplug", "horizon-plugin", "ui"),
        ],
        "oldlib": [("juno", "1.0.0", "oldlib", "library", "oslo")],
        "stor": [("juno", "1.0.0", "stor", "service", "storage"), ("kilo", "2.0.0", "stor", "service", "storage")],
        "stor-extra": [
            ("juno", "1.0.0", "stor", "service", "storage"),
            ("kilo", "2.0.0", "stor", "service", "storage"),
        ],
        "newsvc": [("kilo", "1.0.0", "newsvc", "service", "new")],
    }
    # each repository of stor is counted at its own commit, not the first repository's
    assert plan.projects["stor-extra"].releases[0].commit != plan.projects["stor"].releases[0].commit
    assert "planned" not in plan.projects  # a deliverable file with no release ships nothing


def test_count_by_deliverable(world: Path, tmp_path: Path) -> None:
    analysis = count_config(parse_config(config_text(world), "c.yaml"), options=_options(tmp_path))
    assert analysis.result is not None
    tidy = analysis.result.tidy
    code_by = tidy.groupby(["project", "series", "category"])["code"].sum().to_dict()
    assert code_by == {
        ("stor", "juno", "non-test"): 10,
        ("stor", "juno", "test"): 4,
        ("stor", "kilo", "non-test"): 12,
        ("stor", "kilo", "test"): 0,
        ("stor-extra", "juno", "non-test"): 3,
        ("stor-extra", "juno", "test"): 0,
        ("stor-extra", "kilo", "non-test"): 5,
        ("stor-extra", "kilo", "test"): 2,
        ("oldlib", "juno", "non-test"): 7,
        ("oldlib", "juno", "test"): 0,
        ("newsvc", "kilo", "non-test"): 20,
        ("newsvc", "kilo", "test"): 20,
    }
    assert set(tidy[tidy["project"] == "stor-extra"]["deliverable"]) == {"stor"}
    by_type = tidy.groupby(["series", "deliverable_type"])["code"].sum().to_dict()
    assert by_type == {("juno", "library"): 7, ("juno", "service"): 17, ("kilo", "service"): 59}
    outcomes = analysis.outcomes()
    assert outcomes.counted == ["oldlib", "stor", "newsvc"]
    assert outcomes.skipped == {"eolonly": "no final version in juno, kilo", "jsplug": "no Python files"}
    assert outcomes.failed == {}
    assert outcomes.line() == (
        "5 deliverables: 3 counted, 2 skipped, 0 failed. "
        "Skipped: eolonly (no final version in juno, kilo); jsplug (no Python files)"
    )


def test_types_and_exclusions(world: Path, tmp_path: Path) -> None:
    text = config_text(world, "[service]", "  exclude: [stor-extra, nosuch]\n")
    plan = plan_config(parse_config(text, "c.yaml"), options=_options(tmp_path))
    assert sorted(plan.projects) == ["newsvc", "stor"]
    assert any("nosuch names no deliverable" in note for note in plan.notes)
    with pytest.raises(
        ConfigError, match=r"^c\.yaml: deliverables.types: no deliverable of type 'servce' in series juno, kilo"
    ):
        plan_config(parse_config(config_text(world, "[servce]"), "c.yaml"), options=_options(tmp_path))


def test_a_failing_repository_is_named_and_the_rest_counted(world: Path, tmp_path: Path) -> None:
    broken = tmp_path / "world"
    broken.mkdir()
    for name in ("releases", "stor", "oldlib", "newsvc", "jsplug", "eolonly"):
        (broken / name).symlink_to(world / name)
    (broken / "stor-extra").mkdir()  # not a repository
    text = config_text(world).replace(f"url: '{world}/", f"url: '{broken}/")
    config = tmp_path / "repos.yaml"
    config.write_text(text + f"output: '{tmp_path / 'out'}'\n")
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-images")
    assert result.exit_code == 1
    assert f"failed: stor-extra: {broken / 'stor-extra'}: not a git repository" in result.stderr
    assert "5 deliverables: 2 counted, 2 skipped, 1 failed" in result.stdout
    tidy = pd.read_csv(tmp_path / "out" / "tidy.csv")
    assert sorted(tidy["project"].unique()) == ["newsvc", "oldlib", "stor"]
    provenance = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert provenance["deliverable_of"]["stor-extra"] == "stor"
    assert provenance["skipped"] == {"eolonly": "no final version in juno, kilo", "jsplug": "no Python files"}


def test_url_template_is_checked() -> None:
    for url, fragment in [
        ("https://example.org/{repo.__class__}", "must hold {repo} or {name}"),
        ("ext::sh -c {name}", "git remote helper"),
    ]:
        with pytest.raises(ConfigError, match=r"deliverables\.url") as raised:
            parse_config(f"deliverables: {{url: '{url}'}}\n", "c.yaml")
        assert fragment in str(raised.value)
    result = invoke("releases", "--config", "/nonexistent/x.yaml")
    assert_one_line_error(result, "no such config file")


def test_short_names_that_clash_stay_apart() -> None:
    files = [
        DeliverableFile("juno", "a", "library", "t", ("openstack/tool",)),
        DeliverableFile("kilo", "b", "library", "t", ("x/tool",)),
    ]
    plans = plan_repositories(files, ("all",), ())
    assert [(p.name, p.repository, dict(p.series)) for p in plans] == [
        ("tool", "openstack/tool", {"juno": Membership("a", "library", "t")}),
        ("x-tool", "x/tool", {"kilo": Membership("b", "library", "t")}),
    ]


def _options(tmp_path: Path):
    from loccount.options import RunOptions

    return RunOptions(cache_dir=tmp_path / "cache")


def test_a_broken_deliverable_file_fails_that_deliverable_only(world: Path, tmp_path: Path) -> None:
    releases = RepoBuilder(tmp_path / "releases")
    files = {
        path: text for path, text in _tree(world / "releases").items() if path.startswith(("data/", "deliverables/"))
    }
    files["deliverables/kilo/newsvc.yaml"] = "type: service\nreleases: [{version: 1.0.0, projects: 7}]\n"
    files["deliverables/juno/badlib.yaml"] = "type: library\nteam: [a, b]\n"
    files["deliverables/juno/badyaml.yaml"] = "type: library\nreleases: [\n"
    releases.release(None, files)
    text = config_text(world).replace(f"'{world / 'releases'}'", f"'{releases.path}'")
    analysis = count_config(parse_config(text, "c.yaml"), options=_options(tmp_path))
    assert set(analysis.failures) == {"newsvc", "badlib", "badyaml"}
    assert analysis.failures["newsvc"].startswith("release data deliverables/kilo/newsvc.yaml: releases[0].projects")
    assert analysis.failures["badlib"].startswith("release data deliverables/juno/badlib.yaml: team")
    assert analysis.failures["badyaml"].startswith("release data deliverables/juno/badyaml.yaml: not valid YAML")
    assert analysis.result is not None
    assert sorted(analysis.result.tidy["project"].unique()) == ["oldlib", "stor", "stor-extra"]
    services = config_text(world, "[service]").replace(f"'{world / 'releases'}'", f"'{releases.path}'")
    # a selection by type passes a broken library by, but not a file whose type cannot be read
    failed = count_config(parse_config(services, "c.yaml"), options=_options(tmp_path)).failures
    assert set(failed) == {"newsvc", "badyaml"}


def _tree(repo: Path) -> dict[str, str]:
    from tests.gitrepo import git

    names = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    return {name: git(repo, "show", f"HEAD:{name}") + "\n" for name in names}


def test_a_repository_name_that_could_escape_fails_its_deliverable(world: Path, tmp_path: Path) -> None:
    releases = RepoBuilder(tmp_path / "releases")
    files = {
        path: text for path, text in _tree(world / "releases").items() if path.startswith(("data/", "deliverables/"))
    }
    bad = [("1.0.0", {"../../etc": "0" * 40})]
    files["deliverables/juno/escape.yaml"] = deliverable("library", "x", bad).replace(
        "openstack/../../etc", "../../etc"
    )
    files["deliverables/juno/dashed.yaml"] = deliverable("library", "x", [("1.0.0", {"-x": "0" * 40})])
    releases.release(None, files)
    text = config_text(world).replace(f"'{world / 'releases'}'", f"'{releases.path}'")
    plan = plan_config(parse_config(text, "c.yaml"), options=_options(tmp_path))
    assert set(plan.failures) == {"escape", "dashed"}
    assert plan.failures["escape"].startswith(
        "release data deliverables/juno/escape.yaml: releases[0].projects[0].repo"
    )
    assert "oldlib" in plan.projects
