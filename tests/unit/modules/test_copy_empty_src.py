"""``copy: src: ''`` is no source (copy target): it used to name the playbook's own directory
and copy it; Ansible's copy action fails 'src (or content) is required', and so does
edgeauto, at load time when nothing is templated, else when the task runs."""

from __future__ import annotations

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.core.copy import MODULE


@pytest.mark.parametrize("final", [False, True])
def test_an_empty_src_without_content_is_refused_with_ansibles_words(final):
    with pytest.raises(ModuleArgumentError, match=r"src \(or content\) is required"):
        MODULE.validate({"src": "", "dest": "/tmp/x"}, None, final=final)


def test_a_templated_src_waits_for_the_run_and_content_alone_is_fine():
    assert MODULE.validate({"src": "{{ s }}", "dest": "/tmp/x"}, None)["src"] == "{{ s }}"
    assert MODULE.validate({"content": "", "dest": "/tmp/x"}, None, final=True)["content"] == ""
