"""The cdef of audiostyle/_ffi.py against include/audiostyle.h: every declared function exists in
the header with the same parameter count, and every declared struct has the C compiler's size
and field offsets (so the ABI-mode declarations cannot drift from the header)."""
import os
import re
import shutil
import subprocess

import pytest

from audiostyle._ffi import CDEF, ffi
from conftest import HEADER, ROOT

LIBC = {"free"}


def _strip_comments(s):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", s, flags=re.S)


def _functions(text):
    """name -> parameter count of every top-level prototype in C text."""
    text = _strip_comments(text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    text = re.sub(r"typedef[^;{]*\{[^{}]*\}[^;]*;", " ", text, flags=re.S)  # struct/enum bodies
    text = re.sub(r"\benum\b[^;{]*\{[^{}]*\}\s*;", " ", text, flags=re.S)
    out = {}
    for m in re.finditer(r"\b(as_[a-z0-9_]+|free)\s*\(", text):
        name = m.group(1)
        # a declaration: preceded by a type on the same statement, not inside a typedef of a
        # function pointer ("(*name)")
        before = text[max(0, m.start() - 200):m.start()]
        stmt = before[max(before.rfind(";"), before.rfind("}")) + 1:]
        if "typedef" in stmt or "(" in stmt or not stmt.strip():
            continue
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        params = text[m.end():i - 1].strip()
        n = 0 if params in ("", "void") else _count_top_commas(params) + 1
        out[name] = n
    return out


def _count_top_commas(s):
    depth = n = 0
    for ch in s:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(ch, 0)
        n += ch == "," and depth == 0
    return n


def test_every_cdef_function_is_in_the_header_with_the_same_parameter_count():
    mine = _functions(CDEF)
    header = _functions(open(HEADER).read())
    assert len(mine) > 50
    for name, n in mine.items():
        if name in LIBC:
            continue
        assert name in header, "%s is declared in _ffi.py but not in audiostyle.h" % name
        assert header[name] == n, "%s: %d parameters in _ffi.py, %d in audiostyle.h" % (
            name, n, header[name])


def _structs():
    return re.findall(r"typedef struct (as_[a-z_]+) \{(.*?)\}", _strip_comments(CDEF), flags=re.S)


@pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler")
def test_struct_layouts_match_the_c_compiler(tmp_path):
    checks = []
    for name, body in _structs():
        checks.append((name, None))
        for decl in body.split(";"):
            decl = re.sub(r"\[[^]]*\]", "", decl).strip()
            if not decl:
                continue
            if "(*" in decl:
                checks.append((name, re.search(r"\(\*\s*(\w+)", decl).group(1)))
                continue
            for part in decl.split(","):
                checks.append((name, re.findall(r"\w+", part)[-1]))
    src = ["#include <stdio.h>", "#include <stddef.h>", '#include "audiostyle.h"', "int main(void) {"]
    for s, f in checks:
        if f is None:
            src.append('printf("%%zu\\n", sizeof(%s));' % s)
        else:
            src.append('printf("%%zu\\n", offsetof(%s, %s));' % (s, f))
    src.append("return 0; }")
    c = tmp_path / "layout.c"
    c.write_text("\n".join(src))
    exe = tmp_path / "layout"
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-I" + os.path.join(ROOT, "include"),
                    str(c), "-o", str(exe)], check=True)
    got = [int(x) for x in subprocess.run([str(exe)], capture_output=True, text=True,
                                          check=True).stdout.split()]
    for (s, f), v in zip(checks, got):
        mine = ffi.sizeof(s) if f is None else ffi.offsetof(s, f)
        assert mine == v, "%s%s: cffi says %d, the C compiler %d" % (s, "." + f if f else "", mine, v)
    assert len(got) == len(checks) > 100
