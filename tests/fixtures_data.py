"""File contents with hand-derived pygount counts, shared by the tests."""

from __future__ import annotations

SETUP = "from setuptools import setup\nsetup()\n"  # code 2
MOD = '# A comment\nimport os\n\nx = 1\n"""\ntext\n"""\n'  # code 2, doc 1, empty 1, string 3
TEST_MOD = 'def test_it():\n    """Doc."""\n    assert True  # ok\n'  # code 2, doc 1
CRLF = b"x = 1\r\n# c\r\n\r\ny = 2\r\n"  # code 2, doc 1, empty 1
CR = b"x = 1\r# c\ry = 2\r"  # code 2, doc 1
GENERATED = "# Code generated automatically, DO NOT EDIT\nx = 1\n"  # state generated
BINARY = b"ab\0cd\n"  # state binary
SUBMODULE_SHA = "1234567890abcdef1234567890abcdef12345678"

RELEASE_1_0 = {
    "setup.py": SETUP,
    "pkg/__init__.py": "",
    "pkg/mod.py": MOD,
    "pkg/tests/__init__.py": "",
    "pkg/tests/test_mod.py": TEST_MOD,
    "README.rst": "Not Python.\n",
}
RELEASE_1_1 = {
    **RELEASE_1_0,
    "pkg/crlf.py": CRLF,
    "pkg/gen.py": GENERATED,
    "pkg/bin.py": BINARY,
    "pkg/tests/test_cr.py": CR,
    "pkg/link.py": ("symlink", "mod.py"),
    "vendor/lib": ("submodule", SUBMODULE_SHA),
}

# (tag, category) -> files, code, documentation, empty, string, lines, analyzed, empty-state files
EXPECTED = {
    ("1.0", "non-test"): (3, 4, 1, 1, 3, 9, 2, 1),
    ("1.0", "test"): (2, 2, 1, 0, 0, 3, 1, 1),
    ("1.1", "non-test"): (6, 6, 2, 2, 3, 13, 3, 1),
    ("1.1", "test"): (3, 4, 2, 0, 0, 6, 2, 1),
}
