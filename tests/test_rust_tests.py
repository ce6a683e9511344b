"""Which rows of a Rust text are test code, each fixture's ranges worked out by hand.

Fixtures are lists of rows joined with "\\n", so a row's number is its index in the list.
The module is imported whole: a bare ``test_rows`` here would be collected as a test.
"""

from __future__ import annotations

import pytest

from loccount.languages import rust_tests


def rows(*lines: str) -> str:
    """A text whose row ``i`` is ``lines[i]``, so expected ranges can be read off the fixture."""
    return "\n".join(lines)


def test_method_is_versioned() -> None:
    """Callers store the method with results, so it must name the parser and a version."""
    assert rust_tests.METHOD == "tree-sitter-rust/1"


def test_cfg_test_module_at_end_of_file() -> None:
    """The usual layout: product code, then a test module running to the last row."""
    text = rows(
        "pub fn add(a: u32, b: u32) -> u32 {",  # 0
        "    a + b",  # 1
        "}",  # 2
        "",  # 3
        "#[cfg(test)]",  # 4
        "mod tests {",  # 5
        "    use super::*;",  # 6
        "",  # 7
        "    #[test]",  # 8
        "    fn adds() {",  # 9
        "        assert_eq!(add(1, 2), 3);",  # 10
        "    }",  # 11
        "",  # 12
        "    #[test]",  # 13
        "    fn adds_zero() {",  # 14
        "        assert_eq!(add(0, 0), 0);",  # 15
        "    }",  # 16
        "}",  # 17
        "",  # 18
    )
    assert rust_tests.test_rows(text) == [(4, 17)]


def test_nested_modules() -> None:
    """A test module inside a product module is test, and so is a module inside a test module."""
    text = rows(
        "mod outer {",  # 0
        "    pub fn f() {}",  # 1
        "",  # 2
        "    #[cfg(test)]",  # 3
        "    mod tests {",  # 4
        "        mod helpers {",  # 5
        "            pub fn make() {}",  # 6
        "        }",  # 7
        "        #[test]",  # 8
        "        fn t() {}",  # 9
        "    }",  # 10
        "",  # 11
        "    pub fn g() {}",  # 12
        "}",  # 13
    )
    assert rust_tests.test_rows(text) == [(3, 10)]


def test_cfg_test_on_function_impl_module_and_use() -> None:
    """cfg(test) marks whatever item it is on, a one-row ``use`` as much as a block."""
    text = rows(
        "use std::fmt;",  # 0
        "#[cfg(test)]",  # 1
        "use std::collections::HashMap;",  # 2
        "",  # 3
        "struct S;",  # 4
        "",  # 5
        "#[cfg(test)]",  # 6
        "fn helper() -> u8 {",  # 7
        "    1",  # 8
        "}",  # 9
        "",  # 10
        "impl S {",  # 11
        "    fn real(&self) {}",  # 12
        "}",  # 13
        "",  # 14
        "#[cfg(test)]",  # 15
        "impl S {",  # 16
        "    fn fake(&self) {}",  # 17
        "}",  # 18
        "",  # 19
        "#[cfg(test)]",  # 20
        "mod mocks;",  # 21
    )
    assert rust_tests.test_rows(text) == [(1, 2), (6, 9), (15, 18), (20, 21)]


def test_cfg_test_in_strings_and_comments_is_not_test() -> None:
    """Only real attributes count: strings, raw strings and comments that mention them do not."""
    text = rows(
        'const A: &str = "#[cfg(test)] mod tests {}";',  # 0
        'const B: &str = r#"',  # 1
        "#[cfg(test)]",  # 2
        "mod tests {",  # 3
        "    #[test]",  # 4
        "    fn t() {}",  # 5
        "}",  # 6
        '"#;',  # 7
        "// #[cfg(test)]",  # 8
        "fn a() {}",  # 9
        "/* #[cfg(test)]",  # 10
        "   #[test] */",  # 11
        "fn b() {}",  # 12
        "/// Run with #[cfg(test)] set.",  # 13
        "fn c() {}",  # 14
        "//! #[cfg(test)]",  # 15
    )
    assert rust_tests.test_rows(text) == []


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("test", [(0, 1)]),
        ('all(test, feature = "x")', [(0, 1)]),
        ("all(unix, any(test, test))", [(0, 1)]),
        ('any(test, feature = "x")', []),
        ("not(test)", []),
        ('feature = "test"', []),
        ("any()", []),
        ("all()", []),
    ],
)
def test_cfg_predicates(predicate: str, expected: list[tuple[int, int]]) -> None:
    """all() needs one test argument, any() needs all of them, not() never implies test."""
    assert rust_tests.test_rows(rows(f"#[cfg({predicate})]", "fn f() {}")) == expected


def test_cfg_attr_is_not_test() -> None:
    """cfg_attr only changes attributes in test builds; the item itself is always compiled."""
    assert rust_tests.test_rows(rows("#[cfg_attr(test, derive(Debug))]", "struct S;")) == []


def test_test_functions_outside_a_test_module() -> None:
    """A #[test] or #[tokio::test] function is test wherever it is; #[test_case] is another attribute."""
    text = rows(
        "fn product() {}",  # 0
        "#[test]",  # 1
        "fn sync_test() {",  # 2
        "    product();",  # 3
        "}",  # 4
        "#[tokio::test]",  # 5
        "async fn async_test() {",  # 6
        "    product();",  # 7
        "}",  # 8
        "#[test_case(1)]",  # 9
        "fn not_a_test(n: u8) {}",  # 10
        '#[tokio::test(flavor = "multi_thread")]',  # 11
        "async fn threaded() {}",  # 12
    )
    assert rust_tests.test_rows(text) == [(1, 8), (11, 12)]


def test_test_attribute_on_a_non_function_is_not_test() -> None:
    """#[test] only makes a function a test; on anything else it is some other crate's attribute."""
    assert rust_tests.test_rows(rows("#[test]", "struct S;")) == []


def test_whole_file_under_inner_cfg_test() -> None:
    """#![cfg(test)] at the top compiles the file only for tests, trailing empty row included."""
    text = rows("#![cfg(test)]", "", "use super::*;", "fn t() {}", "")
    assert rust_tests.test_rows(text) == [(0, 4)]


def test_inner_cfg_test_in_a_module() -> None:
    """#![cfg(test)] inside a module's braces makes that module, with its outer attributes, test."""
    text = rows(
        "fn product() {}",  # 0
        "#[allow(unused)]",  # 1
        "mod support {",  # 2
        "    #![cfg(test)]",  # 3
        "    pub fn fixture() {}",  # 4
        "}",  # 5
    )
    assert rust_tests.test_rows(text) == [(1, 5)]


def test_inner_cfg_test_in_a_function_body() -> None:
    """An inner attribute in a function body is the function's own, so #![cfg(test)] there drops the function."""
    text = rows(
        "fn product() {}",  # 0
        "fn fixture() {",  # 1
        "    #![cfg(test)]",  # 2
        "    product();",  # 3
        "}",  # 4
        "fn other() {",  # 5
        "    let c = || {",  # 6
        "        #![cfg(test)]",  # 7
        "    };",  # 8
        "}",  # 9
    )
    assert rust_tests.test_rows(text) == [(1, 4)]


def test_range_starts_at_doc_comment_above_stacked_attributes() -> None:
    """Doc comments and other attributes before the cfg belong to the item; a plain comment above does not."""
    text = rows(
        "fn product() {}",  # 0
        "// Helpers for the tests below.",  # 1
        "/// Builds a fixture.",  # 2
        "#[cfg(test)]",  # 3
        "#[allow(dead_code)]",  # 4
        "fn fixture() {}",  # 5
        "",  # 6
        "/** Another fixture. */",  # 7
        "#[allow(dead_code)]",  # 8
        "// note between attributes",  # 9
        "#[cfg(test)]",  # 10
        "fn other() {}",  # 11
    )
    assert rust_tests.test_rows(text) == [(2, 5), (7, 11)]


def test_ranges_inside_items() -> None:
    """cfg(test) on a field, a variant, a statement or a match arm marks only that part."""
    text = rows(
        "struct S {",  # 0
        "    a: u8,",  # 1
        "    #[cfg(test)]",  # 2
        "    probe: u8,",  # 3
        "}",  # 4
        "enum E {",  # 5
        "    A,",  # 6
        "    #[cfg(test)]",  # 7
        "    Fake,",  # 8
        "}",  # 9
        "fn f(x: u8) {",  # 10
        "    #[cfg(test)]",  # 11
        '    println!("debug");',  # 12
        "    match x {",  # 13
        "        #[cfg(test)]",  # 14
        "        0 => {}",  # 15
        "        _ => {}",  # 16
        "    }",  # 17
        "}",  # 18
    )
    assert rust_tests.test_rows(text) == [(2, 3), (7, 8), (11, 12), (14, 15)]


def test_adjacent_and_nested_ranges_merge() -> None:
    """Touching and nested test items come back as one range, so no row is counted twice."""
    text = rows(
        "#[test]",  # 0
        "fn a() {}",  # 1
        "#[test]",  # 2
        "fn b() {}",  # 3
        "#[cfg(test)]",  # 4
        "mod t {",  # 5
        "    #[test]",  # 6
        "    fn c() {}",  # 7
        "}",  # 8
    )
    assert rust_tests.test_rows(text) == [(0, 8)]


def test_empty_text() -> None:
    """An empty file has no rows at all, so none of them is test."""
    assert rust_tests.test_rows("") == []


def test_syntax_error_does_not_crash() -> None:
    """tree-sitter recovers from errors; the intact test module after the broken code still counts."""
    text = rows(
        "fn broken( {",  # 0
        "    let = ;",  # 1
        "}",  # 2
        "#[cfg(test)]",  # 3
        "mod tests {",  # 4
        "    #[test]",  # 5
        "    fn t() {}",  # 6
        "}",  # 7
    )
    assert rust_tests.test_rows(text) == [(3, 7)]
    assert rust_tests.test_rows("#[cfg(test)] mod x { fn (") == [(0, 0)]


def test_unicode_text_rows() -> None:
    """Rows come from the UTF-8 bytes tree-sitter parses, so multi-byte text before an item is fine."""
    text = rows('const S: &str = "héllo wörld ✓";', "#[test]", "fn t() {}")
    assert rust_tests.test_rows(text) == [(1, 2)]
