"""A small, tricky source file per language the fast path runs for (``fastcount.FAST_LANGUAGES``).

Each holds what trips a line counter: strings that span lines or hold comment markers,
comments that hold quotes, doc comments, raw strings and here-documents, blank lines, lines
of only brackets (pygount counts those as empty) and a last line without a newline.
"""

from __future__ import annotations

SAMPLES: dict[str, tuple[str, str]] = {
    "Python": (
        "sample.py",
        '"""Module doc."""\n\nimport os  # a comment\n\n\ndef f(x):\n    """Doc."""\n    s = """a\n# not a comment\n"""\n'
        "    return {\n        'k': x,\n    }\n\nclass C:\n    pass\n",
    ),
    "Rust": (
        "lib.rs",
        '//! Crate doc.\n\n/// Item doc.\npub fn f() -> &\'static str {\n    let r = r#"raw\n// not a comment\n"#;\n'
        '    /* block\n       comment */\n    "s // not a comment"\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n'
        "    fn t() { assert_eq!(super::f().len(), 20); }\n}",
    ),
    "Go": (
        "main.go",
        'package main\n\nimport (\n\t"fmt"\n)\n\n// F says hello.\nfunc F() string {\n\ts := `raw\n// not a comment\n`\n'
        '\t/* block */ return s + "x /* y */"\n}\n\nfunc main() {\n\tfmt.Println(F())\n}\n',
    ),
    "Bash": (
        "run.sh",
        '#!/bin/bash\n# comment\nset -e\n\nname="a # b"\ncat <<EOF\nhere $name\n# not a comment\nEOF\n'
        "if [ -n \"$name\" ]; then\n  echo 'single # quoted'\nfi\n",
    ),
    "C": (
        "util.c",
        '#include <stdio.h>\n\n/* A block\n * comment. */\nstatic const char *s = "/* not a comment */";\n\n'
        'int main(void) {\n    // line comment\n    printf("%s\\n", s);\n    return 0;\n}\n',
    ),
    "Makefile": (
        "Makefile",
        "# Build it.\nCC ?= gcc\n\nall: app\n\napp: main.o\n\t$(CC) -o $@ $^  # link\n\n.PHONY: all\n",
    ),
    "TypeScript": (
        "add.ts",
        "/** Adds. */\nexport function add(a: number, b: number): number {\n  const s = `tpl ${a} // not a comment`;\n"
        "  // line comment\n  return a + b; /* block */\n}\n\ninterface P {\n  x: string;\n}\n",
    ),
    "Java": (
        "Add.java",
        'package a;\n\n/**\n * Javadoc.\n */\npublic class Add {\n    private static final String S = "/* not */";\n\n'
        "    @Override\n    public String toString() { return S; } // trailing\n}\n",
    ),
    "Docker": (
        "Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM debian:13\n\nRUN apt-get update && \\\n    apt-get install -y git  # tools\n"
        'ENV A="b # c"\nCMD ["bash"]\n',
    ),
}
