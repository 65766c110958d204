"""A Jinja2 error inside a template file points at the file and line of the template
(``templates/x.j2:LINE``), not at a playbook line that does not exist, and does not paste the
whole template (issue 14, defect 9)."""

from __future__ import annotations

import pytest

from edgeauto.errors import TemplateError
from edgeauto.templating import Templar

CASES = {
    "undefined_variable": ("line1\nline2 {{ missing_var }}\nline3\n", 2, "undefined variable"),
    "undefined_in_a_loop": (
        "a\n{% for x in nothing_here %}\n{{ x }}\n{% endfor %}\n",
        2,
        "nothing_here",
    ),
    "syntax_error": ("a\nb\n{% if %}\n", 3, "template syntax error"),
    "unknown_filter": ("a\n{{ 1 | no_such_filter }}\n", 2, "no_such_filter"),
    "attribute_of_undefined": ("x\ny\n{{ conf.port }}\n", 3, "conf"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_error_names_the_template_file_and_line(lab, name):
    text, line, words = CASES[name]
    (lab.root / "templates").mkdir()
    (lab.root / "templates" / "x.j2").write_text(text)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - template: {src: x.j2, dest: WORK/out}
        """
    )
    _, rep, _ = lab.run(pb)
    msg = rep.results[-1].result["msg"]
    assert f"x.j2:{line}: " in msg, msg
    assert words in msg, msg
    assert "line1" not in msg and "site.yml" not in msg  # no pasted template, no wrong place


def test_without_a_file_the_error_keeps_the_task_position():
    from edgeauto.errors import Position

    with pytest.raises(TemplateError) as info:
        Templar({}).render_template_text("{{ nope }}", None, Position("site.yml", 4, 7))
    assert str(info.value.pos) == "site.yml:4:7"
