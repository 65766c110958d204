"""k=v argument strings split exactly like Ansible's parse_kv (ansible-core is the oracle)."""

from __future__ import annotations

import pytest

from edgeauto.playbook.splitter import join_args, parse_kv, split_args

CASES = [
    'src=a dest="/tmp/my file"',
    "echo {{ x | default('a b') }} > f chdir=/tmp",
    "a=1  b=2",
    "echo hi\nls -l  /tmp\n",
    'msg="hello world" var=x',
    "foo.yml",
    "a='b c' d",
    "x=a\\=b",
    "echo 'a=b' c=d",
    'cmd="{{ a }}"',
    "k={{ a }} {{ b }}",
    "echo \"a b\" 'c d'",
    "echo a=b creates=/tmp/x removes=/y",
    "{% if x %}a=1{% endif %} b=2",
    "path=/tmp/{{ item }} state=directory mode=0755",
    "a=b'c d'",
    "for i in 1 2; do\n  echo $i\ndone\n",
    "  a",
    "a\n\nb",
    "x \n y",
    'echo "a  b\n  c" d',
    # a lone backslash outside quotes continues the line (the command_shell target's `cmd`)
    'echo this is a \\\n"multiline echo" \\\n"with a\nnew line" \\\n| cat\necho 2\n',
    "a \\ b\nc",
    'x="a \\ b"\nz',
    # backslash escapes of k=v values are decoded (the replace target's short-form \b)
    "path=x regexp='\\b(.+)\\b' replace='\"\\1\"'",
    "line=a\\tb\\\\c\\x41\\u00e9\\N{BULLET} echo=\\n",
    "echo a\\tb chdir=/t\\x41",
]


@pytest.mark.parametrize("text", CASES)
def test_split_args_matches_ansible(text):
    from ansible.parsing.splitter import split_args as ansible_split_args

    assert split_args(text) == ansible_split_args(text)


@pytest.mark.parametrize("text", CASES)
@pytest.mark.parametrize("free_form", [False, True])
def test_parse_kv_matches_ansible(text, free_form):
    from ansible.parsing.splitter import parse_kv as ansible_parse_kv

    assert parse_kv(text, free_form=free_form) == ansible_parse_kv(text, check_raw=free_form)


@pytest.mark.parametrize("text", ["echo it's", 'msg="unclosed', "a={{ b"])
def test_unbalanced_quotes_or_jinja_are_refused_like_ansible(text):
    from ansible.parsing.splitter import parse_kv as ansible_parse_kv

    with pytest.raises(ValueError):
        parse_kv(text)
    with pytest.raises(Exception):  # noqa: B017 - ansible raises its own parser error
        ansible_parse_kv(text)


def test_free_form_command_keeps_only_known_keys_out_of_the_command_line():
    args = parse_kv("echo a=b > /tmp/f chdir=/tmp", free_form=True)
    assert args == {"chdir": "/tmp", "_raw_params": "echo a=b > /tmp/f"}


def test_split_and_join_keep_spacing_and_newlines_of_free_text():
    text = 'printf "%s  %s" a b\nls  -l\n'
    assert join_args(split_args(text)) == text
