"""Python-ish source text for differential tests: tricky cases by hand and a generator."""

from __future__ import annotations

from hypothesis import strategies as st

#: Sources that exercise strings, f-strings, soft keywords, comments, odd white space and errors.
TRICKY = [
    "",
    "\n",
    "x = 1\n",
    '"""unterminated docstring\n\nstill inside\n',
    "'''\n'''\n",
    'def f():\n    """Doc."""\n    return f"{x!r:>{width}} {y[\'k\']:{z}}"  # comment\n',
    "x = rf'{a}\\d' + Rb\"\\x00\" + bR'''raw\n''' + u'ü' + B\"b\"\n",
    'print(f"""{\n  1 + 2\n}""")\n',
    "match command.split():\n    case [action, obj]:\n        pass\n    case _:\n        match = case = 1\n",
    "@decorator.attr(1)\nclass Café(Base, metaclass=M):\n    переменная = 0x_FF + 0o17 + 0b1_0 + 1_000.5e-3j\n",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os, sys as system\nfrom . import (a,\n  b)\n",
    "lazy import json\nlazy from x import y\n",
    "a = b \\\n    + c\nd = $ ? `e`\n",
    "\tif x:\r\n\t\tpass\r\n",
    "s = 'unterminated\nt = \"also\n",
    "x = 1  \f\n\v\n\u00a0\u3000y\n",
    "def f(*, a: int = ..., **kw) -> None: ...\nlambda: (yield from g)\nawait x; async for y in z: pass\n",
    "__init__ __name__ __doc__ self cls Ellipsis NotImplemented ValueError abs()\n",
    "t'template {x}' T\"x\" ft'{y}'\n",
]

#: Pieces that, glued at random, make text that is often almost Python.
FRAGMENTS = st.sampled_from(
    [
        "def ", "class ", "import ", "from ", "lazy ", "match ", "case ", "if ", "else", ":", "\n", "    ",
        "\t", " ", "'", '"', '"""', "'''", "f", "r", "b", "u", "t", "F", "R", "B", "{", "}", "!r", "=",
        "#", "\\", "\\\n", "(", ")", "[", "]", ".", ",", "0x1F", "1_0.5e3", "1j", "@", "->", "...",
        "self", "None", "__init__", "ValueError", "print", "x", "é", "\u00a0", "\r", "\f", "$", "?",
    ]
)  # fmt: skip
SOURCES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=60).map("".join)

#: Sources that exercise pygount's line decisions: strings after colons, white words and
#: characters, pieces of multi-line tokens, stripped and missing line ends.
LINES = [
    'x = {"a": "b", \'c\':\n    "d"}\n',
    'x = ":"\ny = ":" "z"\n',
    'def f():\n    "doc"\n    """more\n\n    doc"""\n    return a[1:"x"]\n',
    'if x:  # comment\n    "string after a colon and a comment"\nf = lambda: "doc to pygount"\n',
    "pass\n  pass  \npass  # c\nx = pass_\n",
    "foo(\n    a,\n)\n[\n]\n{ }\n;\n",
    'x = 1\n\n\n"""\n"""\n\n',
    "\n\n\nx = 1\n\n\n",
    "x = 1",
    "   ",
    "\f\n\v\n\t\n",
    's = "a" \\\n    "b"\nt = (\n  "c"\n  "d")\n',
    "class A:\n    '''Doc.'''\n\n    x: int = 'no doc'\n",
    'print(f"{a:>{b}}: {c!r}", """\n:\n""")\n',
    "# only a comment",
    "x = 1 # c\n#!/not/first\n",
]
