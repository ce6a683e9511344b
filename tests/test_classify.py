"""The test/non-test rule, table-driven, on the paths that motivated it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loccount.classify import DEFAULT_RULE, NON_TEST, TEST, TestRule, category

CASES = [
    # horizon keeps panel tests beside the code
    ("openstack_dashboard/dashboards/admin/flavors/tests.py", TEST),
    ("horizon/test/helpers.py", TEST),
    ("openstack_dashboard/dashboards/admin/flavors/views.py", NON_TEST),
    # heat's integration tests, smoketests, tempest plugins
    ("heat_integrationtests/functional/test_create_update.py", TEST),
    ("heat_integrationtests/common/clients.py", TEST),
    ("smoketests/base.py", TEST),
    ("neutron_tempest_plugin/api/base.py", TEST),
    ("designate/designate_tempest_plugin/services.py", TEST),
    # base test cases and conftest
    ("nova/test.py", TEST),
    ("conftest.py", TEST),
    ("nova/tests/unit/test_utils.py", TEST),
    ("nova/tests/__init__.py", TEST),
    ("nova/testing/README.py", TEST),
    # oslo's fixture modules
    ("nova/openstack/common/fixture/config.py", TEST),
    ("oslo/fixtures/lockutils.py", TEST),
    # file name patterns
    ("swift/common/middleware/test_something.py", TEST),
    ("tools/db_test.py", TEST),
    ("tools/db_tests.py", TEST),
    ("tools/db-test.py", TEST),
    ("tools/db-tests.py", TEST),
    # non-test: product code, tools, docs, setup, hacking, in-product fakes
    ("nova/virt/fake.py", NON_TEST),
    ("nova/virt/libvirt/driver.py", NON_TEST),
    ("tools/hacking.py", NON_TEST),
    ("nova/hacking/checks.py", NON_TEST),
    ("setup.py", NON_TEST),
    ("doc/source/conf.py", NON_TEST),
    ("nova/db/sqlalchemy/migrate_repo/versions/216_havana.py", NON_TEST),
    # near misses stay non-test
    ("nova/testtools_helpers.py", NON_TEST),
    ("nova/attest.py", NON_TEST),
    ("nova/contest/rules.py", NON_TEST),
    ("nova/tests.txt/readme.py", NON_TEST),
    ("nova/Tests/case.py", NON_TEST),
    ("nova/latest.py", NON_TEST),
    ("nova/test_data/sample.py", NON_TEST),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_default_rule(path: str, expected: str) -> None:
    assert category(path) == expected


def test_directory_suffix_matches_smoketests_but_not_files_named_like_it() -> None:
    assert category("smoketests/x.py") == TEST
    assert category("x/smoketests.py") == NON_TEST


def test_override_replaces_only_given_fields() -> None:
    rule = TestRule(dirs=("spec",), non_test_globs=("nova/tests/fixtures/*",))
    assert rule.category("app/spec/thing.py") == TEST
    assert rule.category("app/tests/thing.py") == TEST  # 'tests' still ends in the 'tests' suffix
    assert rule.category("app/testing/thing.py") == NON_TEST
    assert rule.category("nova/tests/fixtures/db.py") == NON_TEST
    assert rule.rule_id.startswith("custom-")
    assert DEFAULT_RULE.rule_id == "default"


def test_test_globs_mark_extra_paths() -> None:
    rule = TestRule(test_globs=("*/functional/*",))
    assert rule.category("nova/functional/api.py") == TEST
    assert DEFAULT_RULE.category("nova/functional/api.py") == NON_TEST


def test_describe_names_every_part_of_the_rule() -> None:
    text = DEFAULT_RULE.describe()
    for word in ("default", "tests", "_tempest_plugin", "conftest.py", "test_", "-tests.py"):
        assert word in text


path_part = st.text(alphabet=st.characters(blacklist_characters="/\0"), min_size=1, max_size=12)


@given(st.lists(path_part, min_size=1, max_size=6))
def test_category_is_total(parts: list[str]) -> None:
    assert category("/".join(parts)) in (TEST, NON_TEST)


#: Names that cannot hold any part of the rule: every test word needs a "t".
neutral = st.text(alphabet="abcdefghijklmnopqrsuvwxyz_.-", min_size=1, max_size=10)


@given(dirs=st.lists(neutral, max_size=4), name=neutral)
def test_a_neutral_path_is_non_test_until_a_test_name_or_directory_makes_it_test(dirs: list[str], name: str) -> None:
    assert category("/".join([*dirs, f"{name}.py"])) == NON_TEST
    for test_name in (f"test_{name}.py", f"{name}_test.py", f"{name}-tests.py", "conftest.py", "tests.py"):
        assert category("/".join([*dirs, test_name])) == TEST
    for test_dir in ("test", "tests", "testing", "fixture", "fixtures", f"{name}tests", f"{name}_tempest_plugin"):
        assert category("/".join([*dirs, test_dir, f"{name}.py"])) == TEST


@given(st.lists(path_part, min_size=1, max_size=6))
def test_a_test_directory_makes_everything_below_it_test(parts: list[str]) -> None:
    assert category("/".join(["tests", *parts])) == TEST
