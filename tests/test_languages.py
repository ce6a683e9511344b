"""Every language: selection, each language's test conventions, Rust's in-file tests and vendored code.

The fixtures' figures are derived by hand below, and every file's total is checked against the
``pygount`` command line on the same files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loccount import count_repository
from loccount.classify import DEFAULT_RULE, NON_TEST, TEST, VENDORED, TestRule
from loccount.config import parse_config
from loccount.counting.engine import EngineOptions
from loccount.errors import ConfigError
from loccount.languages.kinds import LanguageKind
from loccount.languages.lexers import claims, kind, resolve
from loccount.languages.others import may_select
from loccount.languages.selection import DEFAULT_SELECTION, LanguageSelection, parse_selection
from loccount.options import RunOptions
from loccount.tables.tidy import release_summary
from tests.language_samples import SAMPLES
from tests.pygount_cli import pygount_file, pygount_files

#: A Rust file whose lines pygount counts as marked (hand-derived: pygount's white characters
#: "(),:;[]{}" make a line of only "}" empty; an attribute is a preprocessor token, so code;
#: Pygments lexes doc comments, //! and ///, as String.Doc, so they are string lines):
#:  1 s  2 e  3 s  4 c  5 c  6 e  7 e  8 c  9 e | 10-18 test: 10 c 11 c 12 c 13 e 14 c 15 c 16 c 17 e 18 e
LIB_RS = """\
//! Crate docs.

/// Adds.
pub fn add(a: i32, b: i32) -> i32 {
    a + b // "cfg(test)" in a comment
}

const S: &str = "#[cfg(test)]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(1, 2), 3);
    }
}
"""
#: (code, documentation, empty, string) of the whole file, of its test lines 10-18, of the rest.
LIB_RS_WHOLE = (9, 0, 7, 2)
LIB_RS_TESTS = (6, 0, 3, 0)
LIB_RS_REST = (3, 0, 4, 2)
#: A file that is all test: its inner attribute covers the whole file (code 3, empty 1: the "}").
ALL_TEST_RS = "#![cfg(test)]\nfn helper() {\n    let x = 1;\n}\n"

GO = "package pkg\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
GO_TEST = (
    'package pkg\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fail()\n\t}\n}\n'
)
TS = "export function add(a: number, b: number): number {\n  return a + b;\n}\n"
TS_TEST = "import { add } from './add';\n\ntest('adds', () => {\n  expect(add(1, 2)).toBe(3);\n});\n"
JAVA = "package a;\n\npublic class Add {\n    static int add(int a, int b) { return a + b; }\n}\n"
JAVA_TEST = "package a;\n\nclass AddTest {\n    void adds() { assert Add.add(1, 2) == 3; }\n}\n"

FILES = {
    "src/lib.rs": LIB_RS,
    "src/only_tests.rs": ALL_TEST_RS,
    "pkg/add.go": GO,
    "pkg/add_test.go": GO_TEST,
    "pkg/testdata/sample.go": GO,
    "web/add.ts": TS,
    "web/add.test.ts": TS_TEST,
    "web/__tests__/more.ts": TS_TEST,
    "java/src/main/java/a/Add.java": JAVA,
    "java/src/test/java/a/AddTest.java": JAVA_TEST,
    "java/lib/AddIT.java": JAVA_TEST,
    "vendor/dep/dep.go": GO,
    "vendor/mine/mine.go": GO,
    "gen/api.go": GO,
    ".gitattributes": "gen/** linguist-generated\nvendor/mine/** linguist-vendored=false\n",
    "tool.py": "print('hello')\n",
    "README.md": "# Title\n\nSome prose.\n",
    "config.yaml": "a: 1\nb: [2, 3]\n",
}
EXPECTED_CATEGORY = {
    "pkg/add.go": NON_TEST,
    "pkg/add_test.go": TEST,
    "pkg/testdata/sample.go": TEST,
    "web/add.ts": NON_TEST,
    "web/add.test.ts": TEST,
    "web/__tests__/more.ts": TEST,
    "java/src/main/java/a/Add.java": NON_TEST,
    "java/src/test/java/a/AddTest.java": TEST,
    "java/lib/AddIT.java": TEST,
    "vendor/dep/dep.go": VENDORED,
    "vendor/mine/mine.go": NON_TEST,  # linguist-vendored=false takes it out of vendor/
    "gen/api.go": VENDORED,  # linguist-generated
    "src/only_tests.rs": TEST,
    "tool.py": NON_TEST,
}


@pytest.fixture
def polyglot(make_repo):
    builder = make_repo("polyglot")
    builder.release("1.0", FILES)
    return builder


def _count(path: Path, cache: Path, languages: LanguageSelection = DEFAULT_SELECTION, **kwargs: object):
    options = RunOptions(cache_dir=cache, engine=EngineOptions(jobs=1))
    return count_repository(str(path), tags=["1.0"], languages=languages, options=options, **kwargs)  # type: ignore[arg-type]


def test_linguist_kinds_sort_the_languages_pygount_reports() -> None:
    assert kind("Rust") == kind("Python") == kind("Go") == kind("Bash") == LanguageKind.PROGRAMMING
    assert kind("YAML") == kind("JSON") == LanguageKind.DATA
    assert kind("Markdown") == kind("reStructuredText") == LanguageKind.PROSE
    assert kind("HTML") == kind("CSS") == LanguageKind.MARKUP
    assert kind("no such language") == LanguageKind.UNCLASSIFIED


def test_names_resolve_like_pygments_aliases_and_unknown_names_say_what_is_close() -> None:
    assert resolve("rust") == "Rust"
    assert resolve("shell") == resolve("sh") == "Bash"
    assert resolve(" Go ") == "Go"
    with pytest.raises(ValueError, match=r"unknown language 'pyhton'; did you mean 'Python'"):
        resolve("pyhton")


def test_a_file_name_says_every_language_pygount_could_give_it() -> None:
    assert claims("a.py") == ("Python",)
    assert claims("lib.rs") == ("Rust",)
    assert claims("README") == ()  # pygount: unknown, whatever it holds
    assert claims("x.bats") == ()  # so is a bats file: the Bash convention cannot match one pygount counts
    assert claims("a.h")[0] == "C" and "Objective-C" in claims("a.h")
    everything = parse_selection(["everything"])
    assert may_select("a.py", DEFAULT_SELECTION) and not may_select("lib.rs", DEFAULT_SELECTION)
    assert may_select("lib.rs", parse_selection(["all"])) and not may_select("x.yaml", parse_selection(["all"]))
    assert may_select("x.yaml", everything) and not may_select("README", everything)


def test_selections_parse_words_and_names() -> None:
    assert parse_selection(["all"], resolve).describe() == "all"
    assert parse_selection(["rust, go"], resolve) == LanguageSelection(frozenset({"Rust", "Go"}))
    assert parse_selection(["all", "yaml"], resolve).describe() == "all + YAML"
    assert parse_selection(["everything"]).kinds == frozenset(LanguageKind)
    with pytest.raises(ValueError, match="no language selected"):
        parse_selection([" , "])


def test_language_path_rules_apply_to_their_own_language_only() -> None:
    assert DEFAULT_RULE.category("pkg/x_test.go", "Go") == TEST
    assert DEFAULT_RULE.category("pkg/testdata/x.go", "Go") == TEST
    assert DEFAULT_RULE.category("pkg/x_test.go", "Python") == NON_TEST
    assert DEFAULT_RULE.category("web/x.spec.tsx", "TSX") == TEST
    assert DEFAULT_RULE.category("app/spec/models/user_spec.rb", "Ruby") == TEST
    assert DEFAULT_RULE.category("Foo.Tests/Bar.cs", "C#") == TEST
    assert DEFAULT_RULE.category("a/b/FooIT.java", "Java") == TEST
    assert DEFAULT_RULE.category("a/testdata/x.py", "Python") == NON_TEST  # Go's testdata/ is Go's
    assert DEFAULT_RULE.category("third_party/x.py", "Python") == VENDORED
    assert DEFAULT_RULE.category("third_party/x.py", "Python", attributed=False) == NON_TEST
    assert DEFAULT_RULE.category("lib/x.py", "Python", attributed=True) == VENDORED
    assert TestRule(vendored=()).category("third_party/x.py", "Python") == NON_TEST


def test_all_programming_languages_each_with_its_own_test_rules(polyglot, cache_dir, tmp_path) -> None:
    result = _count(polyglot.path, cache_dir, parse_selection(["all"], resolve))
    files = result.files
    assert set(files["language"]) == {"Rust", "Go", "TypeScript", "Java", "Python"}  # no Markdown, no YAML
    by_path = files.groupby("path")["category"].agg(lambda values: set(values))
    for path, category in EXPECTED_CATEGORY.items():
        assert by_path[path] == {category}, path
    # Rust: one file, two rows: its test module is test code; the parts add up to pygount's counts.
    lib = files[files["path"] == "src/lib.rs"].set_index("part")
    counts = ["code", "documentation", "empty", "string"]
    assert tuple(lib.loc["inline-tests", counts]) == LIB_RS_TESTS
    assert tuple(lib.loc["outside-tests", counts]) == LIB_RS_REST
    assert lib.loc["inline-tests", "category"] == TEST and lib.loc["outside-tests", "category"] == NON_TEST
    tree = tmp_path / "tree"
    for name, content in FILES.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(content)
    reference = pygount_files(tree)
    assert reference["src/lib.rs"].values == LIB_RS_WHOLE
    whole = files.groupby("path")[counts].sum()
    for path in whole.index:
        assert tuple(int(n) for n in whole.loc[path]) == reference[path].values, path
    # The tidy table: one row per language and category, vendored apart and out of the test share.
    tidy = result.tidy
    go = tidy[tidy["language"] == "Go"].set_index("category")
    assert list(go.index) == [NON_TEST, TEST, VENDORED]
    assert int(go.loc[VENDORED, "files"]) == 2 and int(go.loc[TEST, "files"]) == 2
    rust = tidy[tidy["language"] == "Rust"].set_index("category")
    assert int(rust.loc[TEST, "code"]) == LIB_RS_TESTS[0] + 3 and int(rust.loc[NON_TEST, "code"]) == LIB_RS_REST[0]
    summary = release_summary(tidy).iloc[0]
    own = int(tidy[tidy["category"] != VENDORED]["code"].sum())
    assert int(summary["total_code"]) == own
    assert int(summary["vendored_code"]) == int(tidy[tidy["category"] == VENDORED]["code"].sum()) > 0
    assert summary["test_share"] == round(int(summary["test_code"]) / own, 6)


def test_the_rust_content_rule_can_be_turned_off(polyglot, cache_dir) -> None:
    config = parse_config(
        "test_rule:\n  languages:\n    rust: {content: none}\nprojects: [x]\nlanguages: [rust]\n", "repos.yaml"
    )
    rule = config.rule_for(config.projects[0])
    result = _count(polyglot.path, cache_dir, config.languages, rule=rule)
    lib = result.files[result.files["path"] == "src/lib.rs"]
    assert list(lib["part"]) == ["whole"] and list(lib["category"]) == [NON_TEST]
    assert tuple(lib[["code", "documentation", "empty", "string"]].iloc[0]) == LIB_RS_WHOLE


def test_a_python_count_of_a_repository_in_other_languages_says_what_else_is_there(polyglot, cache_dir) -> None:
    result = _count(polyglot.path, cache_dir)
    assert set(result.files["language"]) == {"Python"}
    note = next(n for n in result.provenance.notes if "not counted" in n)
    assert "6 Go files" in note and "2 Rust files" in note and "--languages all" in note
    assert "only 1.3 % of its programming-language bytes" in note
    assert "Markdown" not in note  # prose is not a programming language


def test_everything_takes_markup_data_and_prose_too(polyglot, cache_dir) -> None:
    result = _count(polyglot.path, cache_dir, parse_selection(["everything"]))
    assert {"Markdown", "YAML"} <= set(result.files["language"])


def test_in_file_test_parts_are_cached_and_a_count_made_before_them_is_counted_again(polyglot, cache_dir) -> None:
    import sqlite3

    first = _count(polyglot.path, cache_dir, parse_selection(["rust"], resolve))
    with sqlite3.connect(cache_dir / "counts.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM inline_tests").fetchone()[0] == 2
        db.execute("DELETE FROM inline_tests")  # as a cache written before content rules
    again = _count(polyglot.path, cache_dir, parse_selection(["rust"], resolve))
    pd.testing.assert_frame_equal(first.files, again.files)
    with sqlite3.connect(cache_dir / "counts.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM inline_tests").fetchone()[0] == 2


def test_an_unknown_language_is_one_line_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"repos.yaml: languages: unknown language 'klingon'"):
        parse_config("languages: [klingon]\nprojects: [nova]\n", "repos.yaml")


def test_changes_follow_a_files_in_file_tests_on_their_own(make_repo, cache_dir) -> None:
    builder = make_repo("rusty")
    builder.release("1.0", {"src/lib.rs": "pub fn add(a: i32) -> i32 {\n    a + 1\n}\n"})
    builder.release("1.1", {"src/lib.rs": LIB_RS})
    options = RunOptions(cache_dir=cache_dir, engine=EngineOptions(jobs=1))
    result = count_repository(
        str(builder.path), tags=["1.0", "1.1"], languages=parse_selection(["rust"], resolve), options=options
    ).with_changes()
    changes = result.changes.set_index("category")
    assert changes.loc[TEST, "change"] == "added" and int(changes.loc[TEST, "code_delta"]) == LIB_RS_TESTS[0]
    assert changes.loc[NON_TEST, "change"] == "modified"
    assert set(changes["language"]) == {"Rust"}
    assert int(changes.loc[NON_TEST, "code_delta"]) == LIB_RS_REST[0] - 2


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_fast_path_counts_each_of_its_languages_as_pygount_does(tmp_path, language: str) -> None:
    from loccount.counting.count import count_blob

    name, text = SAMPLES[language]
    path = tmp_path / name
    path.write_text(text)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    fast = count_blob(name, text.encode(), str(scratch), fast=True)
    plain = count_blob(name, text.encode(), str(scratch), fast=False)
    reference = pygount_file(path)
    assert fast.language == plain.language == reference.language == language
    assert fast.values == plain.values == reference.values
    assert fast.inline == plain.inline


def test_every_fast_language_has_a_sample_and_other_languages_run_pygounts_own_code(tmp_path, monkeypatch) -> None:
    from loccount.counting.count import count_blob
    from loccount.counting.fast import fastcount

    assert set(SAMPLES) == fastcount.FAST_LANGUAGES
    calls: list[str] = []
    real = fastcount.from_file

    def recording(path: str, group: str):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real(path, group)

    monkeypatch.setattr(fastcount, "from_file", recording)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    count_blob("add.js", b"function add(a, b) { return a + b; }\n", str(scratch), fast=True)
    assert len(calls) == 1  # JavaScript: not among the checked languages, so pygount's own from_file
    count_blob("add.go", GO.encode(), str(scratch), fast=True)
    assert len(calls) == 1


def test_the_command_line_prints_a_table_per_language_and_all_of_them(polyglot, cache_dir, tmp_path) -> None:
    from tests.cli_helpers import invoke, table_rows

    tidy = tmp_path / "tidy.csv"
    result = invoke(
        "count", polyglot.path, "--tag", "1.0", "--languages", "all", "--csv", tidy, "--cache-dir", cache_dir, "-j", "1"
    )
    titles = [
        line.strip()
        for line in result.stdout.splitlines()
        if "lines per release" in line or "languages counted" in line
    ]
    assert titles[:2] == ["Go lines per release (pygount)", "Rust lines per release (pygount)"]  # most code first
    assert titles[-1] == "All 5 languages counted, per release"
    rows = table_rows(result.stdout)
    go = next(index for index, title in enumerate(titles) if title.startswith("Go"))
    categories = [row[2] for row in rows if row[2]]
    assert "vendored" in categories and "total (own code)" in categories
    assert go == 0
    frame = pd.read_csv(tidy)
    assert set(frame["language"]) == {"Rust", "Go", "TypeScript", "Java", "Python"}


def test_bad_language_options_are_one_line(polyglot, cache_dir) -> None:
    from tests.cli_helpers import assert_one_line_error, invoke

    result = invoke("count", polyglot.path, "--language", "klingon", "--cache-dir", cache_dir, catch_exceptions=True)
    assert_one_line_error(result, "--language: unknown language 'klingon'")
    result = invoke("languages", "--kind", "poetry", catch_exceptions=True)
    assert_one_line_error(result, "--kind: unknown kind 'poetry'")


def test_the_languages_command_lists_kinds_and_conventions() -> None:
    from tests.cli_helpers import invoke, table_rows

    rows = {row[0]: row for row in table_rows(invoke("languages", "--kind", "programming").stdout) if row[0]}
    assert rows["Go"][1] == "programming" and "*_test.go" in rows["Go"][4]
    assert "content: rust-cfg-test" in rows["Rust"][4]
    assert "YAML" not in rows


def test_a_report_of_one_language(polyglot, cache_dir, tmp_path) -> None:
    from tests.cli_helpers import assert_one_line_error, invoke

    report = tmp_path / "report"
    invoke("count", polyglot.path, "--tag", "1.0", "--languages", "all", "--report", report, "--cache-dir", cache_dir)
    index = (report / "index.html").read_text()
    assert 'id="languages"' in index and "Rust, Go, Java and" not in index
    page = (report / "project-polyglot.html").read_text()
    assert "vendored code</th>" in page and 'id="languages"' in page
    invoke("report", report, "--language", "go", "--no-images")
    assert "polyglot: Go lines" in (report / "index.html").read_text()
    wide = pd.read_csv(report / "wide.csv")
    # Go's own code (a line of only "}" is empty): add.go 3, add_test.go 5, testdata/sample.go 3,
    # vendor/mine/mine.go 3 (out of vendor/ by its attribute); vendor/dep and gen/ are vendored.
    assert int(wide["all"].iloc[0]) == 3 + 5 + 3 + 3
    result = invoke("report", report, "--language", "ruby", "--no-images", catch_exceptions=True)
    assert_one_line_error(result, "--language 'Ruby': the tables hold")


def test_a_split_that_cannot_be_exact_keeps_the_file_whole_and_says_so(tmp_path, monkeypatch) -> None:
    import pygount.analysis

    from loccount.counting import count

    real = pygount.analysis._line_parts

    def one_line_more(*args, **kwargs):  # type: ignore[no-untyped-def]
        yield from real(*args, **kwargs)
        yield {"c"}

    monkeypatch.setattr(pygount.analysis, "_line_parts", one_line_more)  # so the parts cannot add up
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    counted = count.count_blob("lib.rs", LIB_RS.encode(), str(scratch), fast=True)  # not via _line_parts
    assert counted.values == LIB_RS_WHOLE
    assert counted.inline == (0, 0, 0, 0) and counted.state_info == count.NO_SPLIT


def test_the_likeliest_language_of_a_name_is_the_one_pygments_finds() -> None:
    from pygments.lexers import LEXERS, find_lexer_class_for_filename

    from loccount.languages import lexers

    names = {"a.h", "a.m", "a.pl", "a.inc", "a.v", "BUILD", "Makefile.am", "x.tar.gz"}
    for _module, _name, _aliases, patterns, _types in LEXERS.values():
        for pattern in patterns:
            if not any(char in pattern for char in "?["):
                names.add(pattern.replace("*", "x"))
    for name in sorted(names):
        assert lexers._likeliest(name) is find_lexer_class_for_filename(name), name


def test_attributes_are_asked_once_per_commit_and_cached(polyglot, cache_dir, monkeypatch) -> None:
    from loccount import pipeline

    asked: list[str] = []
    real = pipeline.linguist_marks

    def counting(repo, commit, paths):  # type: ignore[no-untyped-def]
        asked.append(commit)
        return real(repo, commit, paths)

    monkeypatch.setattr(pipeline, "linguist_marks", counting)
    first = _count(polyglot.path, cache_dir, parse_selection(["go"], resolve))
    again = _count(polyglot.path, cache_dir, parse_selection(["all"], resolve))
    assert len(asked) == 1  # the second count, of other languages, reads the cached answer
    go = again.files[again.files["language"] == "Go"]
    pd.testing.assert_frame_equal(first.files.reset_index(drop=True), go.reset_index(drop=True), check_dtype=False)
