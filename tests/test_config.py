"""repos.yaml validation: every problem is one line naming file, field path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loccount.config import Config, load_config, output_dir, parse_config
from loccount.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_config_is_valid_and_names_the_eleven_juno_projects() -> None:
    config = load_config(ROOT / "repos.yaml")
    names = [p.name for p in config.projects]
    assert names == [
        "nova", "swift", "glance", "keystone", "horizon", "neutron", "cinder", "heat", "ceilometer", "trove", "sahara",
    ]  # fmt: skip
    assert config.projects[0].repo_url == "https://opendev.org/openstack/nova"
    assert config.releases_url == "https://opendev.org/openstack/releases"
    assert (config.series.from_, config.series.to) == ("austin", "latest")
    assert output_dir(config, ROOT / "repos.yaml") == ROOT / "reports"


def test_the_all_of_openstack_config_takes_every_deliverable_at_every_series() -> None:
    config = load_config(ROOT / "openstack.yaml")
    assert config.projects == []
    assert config.deliverables is not None
    assert (config.deliverables.type_names, config.deliverables.exclude) == (("all",), ())
    assert config.deliverables.url == "https://opendev.org/{repo}"
    assert (config.series.from_, config.series.to) == ("austin", "latest")
    assert config.languages.describe() == "Python"
    assert config.clone == "partial"
    assert output_dir(config, ROOT / "openstack.yaml") == ROOT / "reports-openstack"


def test_full_config() -> None:
    config = parse_config(
        """
series: [juno, '2015.1', Liberty]
output: /tmp/out
test_rule: {dirs: [tests]}
max_blob_bytes: 1000
projects:
  - nova
  - name: quantum
    url: git@example.org:openstack/neutron.git
    deliverable: neutron
    tags: {juno: '2014.2'}
    test_rule: {files: [tests.py]}
  - name: tool
    url: /srv/tool
    tags: [v1, v2]
    tags_matching: 'v\\d+'
""",
        "c.yaml",
    )
    assert config.series == ["juno", "kilo", "liberty"]
    nova, quantum, tool = config.projects
    assert nova.by_series and quantum.by_series and not tool.by_series
    assert quantum.tags == {"juno": "2014.2"} and quantum.deliverable_name == "neutron"
    rule = config.rule_for(quantum)
    assert rule.dirs == ("tests",) and rule.files == ("tests.py",) and rule.dir_suffixes[0] == "tests"
    assert config.rule_for(nova).files == ("test.py", "tests.py", "conftest.py")


ERRORS = [
    ("projects: [nova]\ncolour: red\n", "c.yaml: (top level): unknown key 'colour'"),
    ("projects:\n  - name: nova\n    urll: x\n", "c.yaml: projects[0]: unknown key 'urll'"),
    ("projects:\n  - name: nova\n  - name: swift\n    url:\n", "c.yaml: projects[1].url: missing url"),
    (
        "projects:\n  - name: nova\n  - name: swift\n  - name: nova\n",
        "c.yaml: projects[2].name: duplicate project name 'nova'",
    ),
    ("projects: [nova]\nseries: [juno, jupiter]\n", "c.yaml: series[1]: unknown series 'jupiter'"),
    ("projects: [nova]\nseries: {from: austin, to: pluto}\n", "c.yaml: series.to: unknown series 'pluto'"),
    ("projects:\n  - name: nova\n    tags: {jupiter: '1.0'}\n", "c.yaml: projects[0].tags: unknown series 'jupiter'"),
    (
        "projects:\n  - name: nova\n    tags_matching: '1.('\n",
        "c.yaml: projects[0].tags_matching: malformed tag pattern '1.('",
    ),
    ("projects: nova\n", "c.yaml: projects: Input should be a valid list"),
    (
        "projects:\n  - name: nova\n    tags: {juno: 2014.2}\n",
        "c.yaml: projects[0].tags: tag 2014.2 (for juno) is a number",
    ),
    ("projects: [nova]\nmax_blob_bytes: lots\n", "c.yaml: max_blob_bytes: Input should be a valid integer"),
    ("projects:\n  - name: 3\n", "c.yaml: projects[0].name: Input should be a valid string"),
    ("projects: []\n", "c.yaml: (top level): no projects: give a 'projects' list, 'deliverables', or both"),
    ("projects:\n  - name: ../../etc\n", "c.yaml: projects[0].name: invalid name '../../etc'"),
    ("projects:\n  - name: a/b\n", "c.yaml: projects[0].name: invalid name 'a/b'"),
    ('projects:\n  - name: "a\\0b"\n', "c.yaml: projects[0].name: invalid name 'a\\x00b'"),
    ("projects:\n  - name: " + "x" * 201 + "\n", "c.yaml: projects[0].name: invalid name"),
    (
        "projects:\n  - name: nova\n    url: 'ext::sh -c id'\n",
        "c.yaml: projects[0].url: repository URL 'ext::sh -c id' uses a git remote helper",
    ),
    (
        "projects:\n  - name: nova\n    url: '--upload-pack=x'\n",
        "c.yaml: projects[0].url: repository URL '--upload-pack=x' starts with '-'",
    ),
    ("projects:\n  - name: nova\n    test_rule: {dirz: [x]}\n", "c.yaml: projects[0].test_rule: unknown key 'dirz'"),
    ("- nova\n- swift\n", "c.yaml: the document is a list; it must be a mapping with a 'projects' list"),
    ("", "c.yaml: the document is empty"),
    ("projects: [nova\n", "c.yaml: not valid YAML (line 2, column 1)"),
    ("projects:\n  - name: f\n    every: fortnight\n", "c.yaml: projects[0].every: Input should be 'month', 'quarter'"),
    ("projects:\n  - name: f\n    since: 2012-01-01\n", "c.yaml: projects[0]: 'since' needs 'every'"),
    (
        "projects:\n  - name: f\n    every: month\n    since: 2013-01-01\n    until: 2012-01-01\n",
        "c.yaml: projects[0]: since 2013-01-01 is after until 2012-01-01",
    ),
    ("projects:\n  - name: f\n    every: year\n    since: soon\n", "c.yaml: projects[0].since: 'soon' is not a date"),
    ("projects:\n  - name: f\n    every: year\n    branch: -x\n", "c.yaml: projects[0].branch: String should match"),
    ("projects: [nova]\ntitle: ''\n", "c.yaml: title: String should have at least 1 character"),
    ("projects: !!python/object/apply:os.system ['id']\n", "c.yaml: not valid YAML"),
    # no coercion: a bool is not 1, a string or a float not an integer, a bool not a string
    ("projects: [nova]\nmax_blob_bytes: true\n", "c.yaml: max_blob_bytes: Input should be a valid integer"),
    ("projects: [nova]\nmax_blob_bytes: '5'\n", "c.yaml: max_blob_bytes: Input should be a valid integer"),
    ("projects: [nova]\nmax_blob_bytes: 5.0\n", "c.yaml: max_blob_bytes: Input should be a valid integer"),
    ("projects: [nova]\ntest_rule: {dirs: [true]}\n", "c.yaml: test_rule.dirs[0]: Input should be a valid string"),
    ("projects: [nova]\ntest_rule: {files: [7]}\n", "c.yaml: test_rule.files[0]: Input should be a valid string"),
    ("projects:\n  - name: nova\n    tags: [true]\n", "c.yaml: projects[0].tags[0]: Input should be a valid string"),
    ("projects:\n  - name: nova\n    url: !!binary aGk=\n", "c.yaml: projects[0].url: Input should be a valid string"),
    ("projects: [nova]\nreleases_url: 5\n", "c.yaml: releases_url: Input should be a valid string"),
    ("projects: [nova]\noutput: true\n", "c.yaml: output: Input is not a valid path"),
    # a key given twice is refused, not silently the last one
    ("projects: [nova]\nprojects: [swift]\n", "c.yaml: line 2: duplicate key 'projects' (also on line 1)"),
    (
        "projects:\n  - name: nova\n    url: /a\n    url: /b\n",
        "c.yaml: line 4: duplicate key 'url' (also on line 3)",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors_name_file_field_and_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.yaml")
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # 2023.10 is the YAML number 2023.1: Antelope, not the 2023.10 that was written
        (
            "series: [2023.10]\n",
            "c.yaml: series[0]: 2023.1 is a number in YAML, which may not be what was written; quote it: '2023.1'",
        ),
        ("series: [2014.10]\n", "c.yaml: series[0]: 2014.1 is a number in YAML"),
        ("series: {from: 2014.2, to: latest}\n", "c.yaml: series.from: 2014.2 is a number in YAML"),
        ("projects: [{name: nova, tags: {2014.2: '2014.2'}}]\n", "2014.2 is a number in YAML"),
    ],
)
def test_release_ids_as_numbers_are_refused_quote_them(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("projects: [nova]\n" + text if not text.startswith("projects") else text, "c.yaml")
    assert message in str(caught.value)
    assert parse_config("projects: [nova]\nseries: ['2014.2', '2015.1']\n", "c.yaml").series == ["juno", "kilo"]
    assert parse_config("projects: [nova]\nmax_blob_bytes: 1000\n", "c.yaml").max_blob_bytes == 1000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("since: 2020-02-30\n", "projects[0].since: '2020-02-30' is not a date like 2012-01-31"),
        (
            "since: 2020-01-01 10:00:00 +99:00\n",
            "projects[0].since: '2020-01-01 10:00:00 +99:00' is not a date",
        ),
        ("since: !!timestamp '10000-01-01'\n", "projects[0].since: '10000-01-01' is not a date"),
    ],
)
def test_dates_python_cannot_hold_are_one_line_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f"projects:\n  - name: r\n    url: /tmp/r\n    every: year\n    {text}", "c.yaml")
    assert str(caught.value).startswith(f"c.yaml: {message}"), str(caught.value)
    config = parse_config("projects:\n  - name: r\n    url: /tmp/r\n    every: year\n    since: 2020-02-29\n", "c.yaml")
    assert str(config.projects[0].since) == "2020-02-29"


def test_alias_bomb_is_refused() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ConfigError, match="alias bomb"):
        parse_config("\n".join(levels) + "\nprojects: [nova]\n", "bomb.yaml")


def test_shared_anchors_are_fine() -> None:
    text = "rule: &r {dirs: [t]}\nprojects: [{name: a, test_rule: *r}, {name: b, test_rule: *r}]\n"
    with pytest.raises(ConfigError, match="unknown key 'rule'"):
        parse_config(text, "c.yaml")  # anchors work; the extra key is what is wrong


def test_missing_and_oversized_files(tmp_path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "none.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("#" * (2 * 1024 * 1024))
    with pytest.raises(ConfigError, match="larger than"):
        load_config(big)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_config_or_a_one_line_config_error(text: str) -> None:
    try:
        assert isinstance(parse_config(text, "fuzz.yaml"), Config)
    except ConfigError as error:
        assert str(error).startswith("fuzz.yaml: ")
        assert "\n" not in str(error)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["projects", "series", "output", "releases_url", "test_rule", "x"]), yaml_values)
)
def test_any_structure_gives_a_config_or_a_one_line_config_error(data: dict) -> None:
    import yaml

    try:
        parse_config(yaml.safe_dump(data), "fuzz.yaml")
    except ConfigError as error:
        assert str(error).startswith("fuzz.yaml: ") and "\n" not in str(error)


def test_snapshot_keys_and_a_title() -> None:
    config = parse_config(
        "title: My projects\nprojects:\n  - name: f\n    url: /x\n    every: quarter\n    since: 2012-01-01\n"
        "    until: '2020-06-30'\n    branch: release/2.x\n    tags_matching: 'v.*'\n",
        "c.yaml",
    )
    project = config.projects[0]
    assert (project.every, project.since.isoformat(), project.until.isoformat()) == (
        "quarter",
        "2012-01-01",
        "2020-06-30",
    )
    assert project.branch == "release/2.x" and not project.by_series and config.title == "My projects"
