"""Which lines of a Rust source text are test code, found with the tree-sitter Rust grammar.

A real parser, because ``cfg(test)`` inside a string, a raw string or a comment must not count.
Test code is an item (or any node tree-sitter hangs outer attributes on) under ``#[cfg(P)]``
where ``P`` implies ``test``, a function under an attribute whose path ends in ``test``
(``#[test]``, ``#[tokio::test]``), and a module, function body or whole file opened by
``#![cfg(P)]``. An item's rows start at its first outer attribute or outer doc comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final

import tree_sitter_rust
from tree_sitter import Language, Node, Parser, Query, QueryCursor

#: Stored with every result; bump it whenever what counts as test changes.
METHOD: Final = "tree-sitter-rust/1"

_QUERY: Final = "(attribute_item) @outer (inner_attribute_item) @inner"

#: Nodes whose own leading children are their outer attributes (not preceding siblings).
_SELF_ATTRIBUTED: Final = frozenset({"match_arm", "field_initializer", "shorthand_field_initializer"})

#: Items whose body (a ``declaration_list`` or ``block``) may open with an inner ``#![cfg]``.
_INNER_OWNERS: Final = frozenset({"mod_item", "function_item", "impl_item", "trait_item", "foreign_mod_item"})

_COMMENTS: Final = frozenset({"line_comment", "block_comment"})


@cache
def _tools() -> tuple[Parser, QueryCursor]:
    """The parser and the attribute query, built once per process because building them is costly."""
    language = Language(tree_sitter_rust.language())
    return Parser(language), QueryCursor(Query(language, _QUERY))


def test_rows(text: str) -> list[tuple[int, int]]:
    r"""0-based, inclusive (first_row, last_row) ranges of `text` (rows = text.split("\n")) that are Rust test code.

    Sorted, non-overlapping, merged.
    """
    if not text:
        return []
    parser, cursor = _tools()
    root = parser.parse(text.encode("utf-8")).root_node
    captures = cursor.captures(root)
    ranges: list[tuple[int, int]] = []
    for inner in captures.get("inner", []):
        if not _cfg_implies_test(inner):
            continue
        owner = _inner_owner(inner)
        if owner is None:
            continue
        if owner == root:
            return [(0, text.count("\n"))]
        ranges.append(_item_rows(owner, owner))
    for outer in captures.get("outer", []):
        cfg_test = _cfg_implies_test(outer)
        if not cfg_test and not _is_test_attribute(outer):
            continue
        found = _target(outer)
        if found is None:
            continue
        target, last = found
        if cfg_test or target.type == "function_item":
            ranges.append(_item_rows(target, last))
    return _merge(ranges)


def _attribute(item: Node) -> Node | None:
    """The ``attribute`` node inside an ``attribute_item`` or ``inner_attribute_item``."""
    for child in item.named_children:
        if child.type == "attribute":
            return child
    return None


def _name(node: Node) -> str:
    """An identifier's name, with a raw identifier's ``r#`` dropped, since ``r#test`` is ``test``."""
    name = (node.text or b"").decode("utf-8", "replace")
    return name.removeprefix("r#")


def _segments(path: Node) -> tuple[str, ...]:
    """The segments of an attribute's path: ``tokio::test`` is ``("tokio", "test")``."""
    if path.type != "scoped_identifier":
        return (_name(path),)
    prefix = path.child_by_field_name("path")
    last = path.child_by_field_name("name")
    return (*(_segments(prefix) if prefix is not None else ()), _name(last) if last is not None else "")


def _path(item: Node) -> tuple[str, ...]:
    """The path of the attribute in an attribute item, empty if tree-sitter gave it none."""
    attribute = _attribute(item)
    if attribute is None or not attribute.named_child_count:
        return ()
    return _segments(attribute.named_children[0])


def _is_test_attribute(item: Node) -> bool:
    """Whether the attribute's path ends in ``test``: ``#[test]``, ``#[tokio::test(...)]``, not ``#[test_case]``."""
    path = _path(item)
    return bool(path) and path[-1] == "test"


def _cfg_implies_test(item: Node) -> bool:
    """Whether the attribute is ``cfg(P)`` with a single predicate ``P`` that implies ``test``."""
    attribute = _attribute(item)
    if attribute is None or _path(item) != ("cfg",):
        return False
    arguments = attribute.child_by_field_name("arguments")
    if arguments is None:
        return False
    predicates = _predicates(arguments)
    return predicates is not None and len(predicates) == 1 and _implies_test(predicates[0])


def _predicates(tree: Node) -> list[list[Node]] | None:
    """The comma-separated token groups inside a parenthesised token tree; None for ``[]`` or ``{}``."""
    tokens = tree.children
    if len(tokens) < 2 or tokens[0].type != "(" or tokens[-1].type != ")":
        return None
    groups: list[list[Node]] = [[]]
    for token in tokens[1:-1]:
        if token.type in _COMMENTS:
            continue
        if token.type == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    if not groups[-1]:
        groups.pop()
    return groups if all(groups) else None


def _implies_test(predicate: Sequence[Node]) -> bool:
    """Whether a cfg predicate can only hold in a test build.

    ``all`` needs one test argument, ``any`` needs every argument to be test (and at least one,
    since ``any()`` is never compiled at all), ``not`` and ``key = "value"`` options never are.
    """
    if len(predicate) == 1:
        return predicate[0].type == "identifier" and _name(predicate[0]) == "test"
    if len(predicate) != 2 or predicate[0].type != "identifier" or predicate[1].type != "token_tree":
        return False
    arguments = _predicates(predicate[1])
    if not arguments:
        return False
    operator = _name(predicate[0])
    if operator == "all":
        return any(_implies_test(argument) for argument in arguments)
    if operator == "any":
        return all(_implies_test(argument) for argument in arguments)
    return False


def _inner_owner(inner: Node) -> Node | None:
    """What an inner attribute applies to: the file, or the mod, fn, impl, trait or extern block it opens."""
    parent = inner.parent
    if parent is None:
        return None
    if parent.type == "source_file":
        return parent
    if parent.type in {"declaration_list", "block"}:
        owner = parent.parent
        if owner is not None and owner.type in _INNER_OWNERS:
            return owner
    return None


def _target(item: Node) -> tuple[Node, Node] | None:
    """The node an outer attribute applies to, and the node its rows end with."""
    parent = item.parent
    if parent is not None and parent.type in _SELF_ATTRIBUTED:
        return parent, parent
    target = item.next_sibling
    while target is not None and (target.type == "attribute_item" or target.type in _COMMENTS):
        target = target.next_sibling
    if target is None:
        return None
    last = target
    if target.type == "visibility_modifier" and target.next_named_sibling is not None:
        last = target.next_named_sibling  # a tuple struct field: `#[cfg(test)] pub u8`
    return target, last


def _is_outer_doc(node: Node) -> bool:
    """Whether a comment is an outer doc comment (``///``, ``/** */``), which documents the next item."""
    return node.type in _COMMENTS and any(child.type == "outer_doc_comment_marker" for child in node.children)


def _item_rows(target: Node, last: Node) -> tuple[int, int]:
    """The rows from the first outer attribute or doc comment before ``target`` through ``last``.

    Plain comments between them are inside the range; plain comments above the first one are not.
    """
    first = target.start_point.row
    sibling = target.prev_sibling
    while sibling is not None:
        if sibling.type == "attribute_item" or _is_outer_doc(sibling):
            first = sibling.start_point.row
        elif sibling.type not in _COMMENTS:
            break
        sibling = sibling.prev_sibling
    end = last.end_point
    row = end.row - 1 if end.column == 0 and end.row > last.start_point.row else end.row
    return first, row


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with overlapping and adjacent ones joined, so each test row is in exactly one."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
