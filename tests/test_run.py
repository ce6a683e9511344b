"""`loccount releases`, `run` and `report` on a synthetic release-management repository."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from tests.cli_helpers import invoke
from tests.world import build_world, write_config


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path / "world")


@pytest.fixture
def config(world, tmp_path):
    return write_config(tmp_path / "repos.yaml", world)


def test_releases_map(config, tmp_path) -> None:
    result = invoke("releases", "--config", config, "--format", "csv", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert (
        lines[0]
        == "project,series,release_id,series_date,version,tag,commit,date,rule,deliverable,deliverable_type,team"
    )
    rows = [line.split(",") for line in lines[1:]]
    assert [(r[0], r[1], r[2], r[4], r[8]) for r in rows] == [
        ("alpha", "juno", "2014.2", "1.0.0", "stable-branch"),
        ("alpha", "kilo", "2015.1", "2.0.0", "first-final"),
        ("beta", "juno", "2014.2", "0.1.0", "intermediary"),
        ("beta", "kilo", "2015.1", "0.2.0", "intermediary"),
    ]
    as_json = json.loads(
        invoke("releases", "--config", config, "--format", "json", "--cache-dir", tmp_path / "c").stdout
    )
    assert [r["version"] for r in as_json] == ["1.0.0", "2.0.0", "0.1.0", "0.2.0"]
    table = invoke("releases", "--config", config, "--project", "beta", "--cache-dir", tmp_path / "c")
    assert "intermediary" in table.stdout and "alpha" not in table.stdout
    assert "2 releases of 1 project" in table.stdout


def test_run_writes_tables_and_report(config, tmp_path) -> None:
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-report")
    assert result.exit_code == 0, result.output
    output = tmp_path / "reports"
    tidy = pd.read_csv(output / "tidy.csv", dtype={"version": str, "release_id": str})
    assert len(tidy) == 8
    assert tidy.groupby("project")["series"].apply(list).to_dict() == {
        "alpha": ["juno", "juno", "kilo", "kilo"],
        "beta": ["juno", "juno", "kilo", "kilo"],
    }
    alpha_kilo = tidy[(tidy["project"] == "alpha") & (tidy["series"] == "kilo")].set_index("category")
    assert alpha_kilo.loc["non-test", "files"] == 7 and alpha_kilo.loc["test", "files"] == 1
    assert (output / "releases.csv").exists() and (output / "areas.csv").exists()
    provenance = json.loads((output / "provenance.json").read_text())
    assert provenance["series"] == ["juno", "kilo"] and provenance["failures"] == {}
    assert "alpha" in result.stdout and "Kilo (2.0.0)" in result.stdout


def test_run_subset_and_report_rebuild(config, tmp_path) -> None:
    result = invoke(
        "run",
        "--config",
        config,
        "--cache-dir",
        tmp_path / "c",
        "--series",
        "kilo",
        "--project",
        "alpha",
        "--no-images",
    )
    assert result.exit_code == 0, result.output
    output = tmp_path / "reports"
    tidy = pd.read_csv(output / "tidy.csv")
    assert set(zip(tidy["project"], tidy["series"], strict=True)) == {("alpha", "kilo")}
    assert (output / "index.html").exists() and (output / "project-alpha.html").exists()
    (output / "index.html").unlink()
    rebuilt = invoke("report", "--config", config, "--no-images")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Kilo" in (output / "index.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nope"], "--project: no project 'nope' in the config"),
        (["--series", "jupiter"], "--series: unknown series 'jupiter'"),
    ],
)
def test_bad_selection(config, tmp_path, args, message) -> None:
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_missing_config(tmp_path) -> None:
    result = invoke("run", "--config", tmp_path / "none.yaml")
    assert result.exit_code == 1 and "no such config file" in result.stderr


def test_a_failing_remote_does_not_stop_the_others(world, tmp_path) -> None:
    broken = "  - name: gamma\n    url: file:///nonexistent/gamma\n    tags: ['1.0']\n"
    config = write_config(tmp_path / "repos.yaml", world, extra_projects=broken)
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-report")
    assert result.exit_code == 1
    assert "failed: gamma: cannot fetch file:///nonexistent/gamma" in result.stderr
    assert "1 project(s) failed: gamma; the others were counted" in result.stderr
    tidy = pd.read_csv(tmp_path / "reports" / "tidy.csv")
    assert set(tidy["project"]) == {"alpha", "beta"}


def edit_release_data(world, path: str, text: str) -> None:
    """Commit new text for one file of the synthetic openstack/releases repository."""
    from tests.gitrepo import git

    target = world["releases"] / path
    target.write_text(text)
    git(world["releases"], "add", path)
    git(world["releases"], "commit", "-q", "-m", f"edit {path}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("releases: 5\n", "releases: Input should be a valid list"),
        ("releases:\n  - version: '1.0.0'\n    projects: 7\n", "releases[0].projects: Input should be a valid list"),
        ("branches: 9\n", "branches: Input should be a valid list"),
        ("releases:\n  - version: 1.0\n", "releases[0].version: Input should be a valid string"),
        ("releases:\n  - projects: []\n", "releases[0].version: Field required"),
        ("branches:\n  - name: stable/juno\n    location: true\n", "branches[0].location: Input should be a valid"),
        ("- 1\n", "(top level): Input should be a valid dictionary"),
        # a revision name is a moving target: only a full commit id is a release's commit
        (
            "releases:\n  - version: '1.0.0'\n    projects:\n      - {repo: openstack/alpha, hash: main}\n",
            "releases[0].projects[0].hash: String should match pattern",
        ),
        (
            "releases:\n  - version: '1.0.0'\n    projects:\n      - {repo: openstack/alpha, hash: 'HEAD~1'}\n",
            "releases[0].projects[0].hash: String should match pattern",
        ),
    ],
)
def test_bad_release_data_fails_that_project_only_with_one_line(world, tmp_path, text, message) -> None:
    edit_release_data(world, "deliverables/juno/alpha.yaml", text)
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke("releases", "--config", config, "--format", "csv", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"failed: alpha: release data deliverables/juno/alpha.yaml: {message}"
    )
    assert {line.split(",")[0] for line in result.stdout.splitlines()[1:]} == {"beta"}


def test_a_run_counts_the_others_when_one_deliverable_is_bad(world, tmp_path) -> None:
    edit_release_data(world, "deliverables/juno/alpha.yaml", "releases: 5\n")
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-report")
    assert result.exit_code == 1
    assert "failed: alpha: release data deliverables/juno/alpha.yaml: releases: Input should be a valid list" in (
        result.stderr
    )
    assert set(pd.read_csv(tmp_path / "reports" / "tidy.csv")["project"]) == {"beta"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {name: juno, initial-release: 5}\n", "[0].initial-release: Input should be a valid date"),
        ("- {name: juno, release-id: true}\n", "[0].release-id: Input should be a valid string"),
        ("- {status: released}\n", "[0].name: Field required"),
        ("series: 5\n", "(top level): Input should be a valid list"),
        # a date Python cannot hold is a bad field, not a traceback of YAML's
        ("- {name: juno, initial-release: 2014-02-30}\n", "[0].initial-release: '2014-02-30' is not a date like"),
    ],
)
def test_bad_series_status_is_one_line(world, tmp_path, text, message) -> None:
    edit_release_data(world, "data/series_status.yaml", text)
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke("releases", "--config", config, "--cache-dir", tmp_path / "c")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"loccount: error: release data data/series_status.yaml: {message}")


@pytest.mark.unexpected_error
def test_an_unexpected_error_in_one_project_is_its_failure_only(world, tmp_path, monkeypatch) -> None:
    from loccount import runs

    real = runs.resolve_project

    def broken_for_alpha(data, repo, project, *args, **kwargs):
        if project == "alpha":
            raise KeyError("stable/juno")
        return real(data, repo, project, *args, **kwargs)

    monkeypatch.setattr(runs, "resolve_project", broken_for_alpha)
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-report")
    assert result.exit_code == 1
    assert "failed: alpha: unexpected KeyError: 'stable/juno'" in result.stderr
    assert "1 project(s) failed: alpha; the others were counted" in result.stderr
    assert set(pd.read_csv(tmp_path / "reports" / "tidy.csv")["project"]) == {"beta"}


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_is_never_taken_for_a_project_failure(world, tmp_path, monkeypatch, interrupt) -> None:
    from loccount import runs
    from loccount.config import load_config

    def interrupted(*_args, **_kwargs):
        raise interrupt

    monkeypatch.setattr(runs, "resolve_project", interrupted)
    with pytest.raises(interrupt):
        runs.plan_config(
            load_config(write_config(tmp_path / "repos.yaml", world)), options=runs.RunOptions(cache_dir=tmp_path)
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--series", "hibiscus"], "--series: hibiscus is not in the release data yet"),
        (["--series", "juno", "--project", "beta"], "nothing selected: no release of beta in series juno"),
    ],
)
@pytest.mark.parametrize("command", ["run", "releases"])
def test_an_empty_selection_is_one_line(world, tmp_path, args, message, command) -> None:
    edit_release_data(world, "deliverables/juno/beta.yaml", "releases: []\n")
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke(command, "--config", config, "--cache-dir", tmp_path / "c", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"loccount: error: {message}"]
    assert not (tmp_path / "reports").exists()


def test_a_series_range_that_runs_backwards_is_one_line(world, tmp_path) -> None:
    config = write_config(tmp_path / "repos.yaml", world)
    config.write_text(config.read_text().replace("{from: juno, to: latest}", "{from: kilo, to: juno}"))
    result = invoke("run", "--config", config, "--cache-dir", tmp_path / "c")
    assert result.stderr.splitlines() == [
        f"loccount: error: {config}: series: from 'kilo' comes after to 'juno', so the range selects no series"
    ]


def test_formula_tags_are_neutralised_in_every_format(make_repo, tmp_path) -> None:
    builder = make_repo("hostile")
    builder.release("=1+2", {"a.py": "x = 1\n"})
    builder.release("@SUM(A1)", {"a.py": "x = 2\n"})
    config = tmp_path / "repos.yaml"
    config.write_text(f"projects:\n  - name: h\n    url: '{builder.path}'\n    tags: ['=1+2', '@SUM(A1)']\n")
    as_csv = invoke("releases", "--config", config, "--format", "csv", "--cache-dir", tmp_path / "c")
    rows = [line.split(",") for line in as_csv.stdout.splitlines()[1:]]
    assert [(r[4], r[5]) for r in rows] == [("'=1+2", "'=1+2"), ("'@SUM(A1)", "'@SUM(A1)")]
    as_json = json.loads(
        invoke("releases", "--config", config, "--format", "json", "--cache-dir", tmp_path / "c").stdout
    )
    assert [(r["version"], r["tag"]) for r in as_json] == [("'=1+2", "'=1+2"), ("'@SUM(A1)", "'@SUM(A1)")]
    table = invoke("releases", "--config", config, "--cache-dir", tmp_path / "c").stdout
    assert "=1+2" in table  # a terminal table is not a spreadsheet: shown as it is
    assert invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-images").exit_code == 0
    for name in ("tidy.csv", "releases.csv", "areas.csv", "wide.csv"):
        with (tmp_path / "reports" / name).open(newline="") as stream:
            cells = [cell for row in csv.reader(stream) for cell in row]
        assert "'@SUM(A1)" in cells or name == "wide.csv", name
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))], name


def test_a_date_python_cannot_hold_in_a_field_loccount_ignores_is_no_failure(world, tmp_path) -> None:
    """The YAML of a deliverable is read with dates as text: a field such as ``2014-02-30``
    that loccount never reads made the whole project fail ("unexpected ValueError")."""
    path = "deliverables/juno/alpha.yaml"
    text = (world["releases"] / path).read_text()
    edit_release_data(world, path, text + "release-notes-date: 2014-02-30\n")
    config = write_config(tmp_path / "repos.yaml", world)
    result = invoke("releases", "--config", config, "--format", "csv", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert {line.split(",")[0] for line in result.stdout.splitlines()[1:]} == {"alpha", "beta"}


def test_a_run_where_a_project_fails_says_so_on_every_page_and_leaves_no_stale_page(world, tmp_path) -> None:
    """A failed project is left out of the figures and named, with its reason, on every page; the
    page an earlier, complete run wrote for it is removed, not left behind unlinked and stale."""
    config = write_config(tmp_path / "repos.yaml", world)
    output = tmp_path / "reports"
    complete = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-images")
    assert complete.exit_code == 0, complete.output
    assert {p.name for p in output.glob("project-*.html")} == {"project-alpha.html", "project-beta.html"}
    gone = tmp_path / "gone"
    broken = write_config(tmp_path / "broken.yaml", world, extra_projects=f"  - name: gamma\n    url: '{gone}'\n")
    broken.write_text(broken.read_text().replace(f"url: '{world['beta']}'", f"url: '{gone}'"))
    failed = invoke("run", "--config", broken, "--cache-dir", tmp_path / "c", "--no-images")
    assert failed.exit_code == 1
    assert {p.name for p in output.glob("project-*.html")} == {"project-alpha.html"}
    for page in ("index.html", "project-alpha.html"):
        html = (output / page).read_text(encoding="utf-8")
        assert 'id="failures"' in html and "2 projects could not be counted in this run" in html
        assert f"<strong>beta</strong>: {gone}: no such file or directory" in html
        assert f"<strong>gamma</strong>: {gone}: no such file or directory" in html
    again = invoke("run", "--config", config, "--cache-dir", tmp_path / "c", "--no-images")
    assert again.exit_code == 0 and 'id="failures"' not in (output / "index.html").read_text(encoding="utf-8")
