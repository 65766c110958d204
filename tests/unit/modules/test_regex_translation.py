"""Python regexes become POSIX ERE for awk/sed; Python-only constructs are refused clearly."""

import subprocess

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.core._common import mode_arg, python_re_to_ere, python_template_to_sed


@pytest.mark.parametrize(
    "python,ere",
    [
        (r"^\d+$", "^[0-9]+$"),
        (r"\s*#", "[[:space:]]*#"),
        (r"[\d.]+", "[0-9.]+"),
        (r"\w+=\S", "[A-Za-z0-9_]+=[^[:space:]]"),
        (r"(?:a|b)c", "(a|b)c"),
        (r"127\.0\.0\.1", r"127\.0\.0\.1"),
        (r"[]a]", "[]a]"),
    ],
)
def test_common_python_escapes_are_translated(python, ere):
    assert python_re_to_ere(python, None) == ere


@pytest.mark.parametrize(
    "pattern",
    [r"a(?=b)", r"a(?!b)", r"(?<=a)b", r"(?P<n>a)", r"a+?", r"\bword\b", r"(a)\1", r"(?i)abc"],
)
def test_python_only_constructs_are_refused_with_a_clear_message(pattern):
    with pytest.raises(ModuleArgumentError, match="Python-only regex syntax"):
        python_re_to_ere(pattern, None)


def test_invalid_regex_is_reported():
    with pytest.raises(ModuleArgumentError, match="invalid regular expression"):
        python_re_to_ere("a(b", None)


@pytest.mark.parametrize(
    "line,subject,pattern,expected",
    [(r"\1=\g<2>0", "k=5", r"^(\w+)=(\d+)$", "k=50"), (r"x & \\ \1", "ab", "(a)", r"x & \ a")],
)
def test_backref_templates_expand_like_python_through_sed(line, subject, pattern, expected):
    ere = python_re_to_ere(pattern, None)
    repl = python_template_to_sed(line, None)
    out = subprocess.run(
        ["sed", "-E", f"s\x01{ere}\x01\x02{repl}\x02\x01"],
        input=subject,
        capture_output=True,
        text=True,
    )
    assert out.stdout.split("\x02")[1] == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        (420, "0644"),
        ("0644", "0644"),
        ("644", "0644"),
        ("u=rw,g=r", "u=rw,g=r"),
        ("preserve", "preserve"),
        ("a+X", "a+X"),
    ],
)
def test_modes_are_normalised(value, expected):
    assert mode_arg(value, None) == expected


@pytest.mark.parametrize("value", ["rw-r--r--", "99999", "u=rw,", True])
def test_bad_modes_are_refused(value):
    with pytest.raises(ModuleArgumentError):
        mode_arg(value, None)


@pytest.mark.parametrize(
    "python,ere",
    [
        (r"^\s+$", "^[[:space:]\x1e]+\x1e?$"),
        (r"a.b", "a[^\x1e]b"),
        (r"\S\n", "[^[:space:]\x1e]\x1e"),
        (r"[.$]", "[.$]"),
    ],
)
def test_with_a_newline_sentinel_python_line_semantics_are_kept(python, ere):
    assert python_re_to_ere(python, None, sentinel="\x1e") == ere


def test_escapes_inside_brackets_become_plain_characters():
    assert python_re_to_ere(r"[\.\*]", None) == "[.*]"
    with pytest.raises(ModuleArgumentError, match="bracket"):
        python_re_to_ere(r"[\]]", None)
