"""What Ansible's copy action refuses before its module runs, in its order and words (the copy
target asserts them): ``src: ''`` is no source (it used to name the playbook's own directory
and copy it), a missing or empty dest, src with content, content into a directory. Refused at
load time, and again once templates are rendered."""

from __future__ import annotations

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.core.copy import MODULE


@pytest.mark.parametrize("final", [False, True])
@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"src": "", "dest": "/tmp/x"}, r"src \(or content\) is required"),
        ({"dest": "/tmp/x"}, r"src \(or content\) is required"),
        ({"src": "a.txt"}, "dest is required"),
        ({"src": "a.txt", "dest": ""}, "dest is required"),
        ({"src": "a.txt", "content": "x", "dest": "/tmp/x"}, "src and content are mutually"),
        ({"content": "x", "dest": "/tmp/d/"}, "can not use content with a dir as dest"),
    ],
)
def test_copy_refuses_what_ansibles_copy_action_refuses_with_its_words(args, words, final):
    with pytest.raises(ModuleArgumentError, match=words):
        MODULE.validate(args, None, final=final)


def test_a_templated_src_waits_for_the_run_and_content_alone_is_fine():
    assert MODULE.validate({"src": "{{ s }}", "dest": "/tmp/x"}, None)["src"] == "{{ s }}"
    assert MODULE.validate({"content": "", "dest": "/tmp/x"}, None, final=True)["content"] == ""
