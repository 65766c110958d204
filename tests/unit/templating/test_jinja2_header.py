"""Template Jinja2 settings: the ``#jinja2:`` first line, the template module's arguments and
the template lookup's options, compared with ansible-core.

``lookup('template')`` results come from ansible-core's Templar (``ansible_oracle.py``); the
template module's files from ``ansible-playbook -c local`` against ``edgeauto run -c local``,
byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError, TemplateError
from edgeauto.templating import Templar

HERE = Path(__file__).parent
VARS = {"xs": [1, 0, 2], "x": "X"}

TEMPLATES = {
    "a.j2": (
        "#jinja2: trim_blocks: False, lstrip_blocks: True\n"
        "{% for i in xs %}\n    {% if i %}\n[{{ i }}]\n    {% endif %}\n{% endfor %}\nend\n"
    ),
    "b.j2": "#jinja2:variable_start_string:'[%', variable_end_string:'%]'\nv=[% x %] raw={{ x }}\n",
    "c.j2": "#jinja2: newline_sequence: '\\r\\n'\nl1 {{ x }}\nl2\n\n",
    "d.j2": "#jinja2: keep_trailing_newline: True\nA{% include 'inc.j2' %}B\n",
    "inc.j2": "inc\n",
    "blocks.j2": (
        "#jinja2: block_start_string: '<%', block_end_string: '%>', "
        "comment_start_string: '<#', comment_end_string: '#>'\n"
        "<% for i in xs %><# note #>{{ i }}{# kept #}<% endfor %>\n"
    ),
    "plain.j2": "{% for i in xs %}\n  {% if i %}\n{{ i }}\n  {% endif %}\n{% endfor %}\n",
    "delims.j2": "v=<< x >> {{ x }} [# c #]{# d #}\n",
    "bad_key.j2": "#jinja2: bogus: 1\nx\n",
    "bad_value.j2": "#jinja2: trim_blocks: 'no'\nx\n",
    "same_start.j2": "#jinja2: block_start_string: '{{'\nx\n",
    "no_newline.j2": "#jinja2: trim_blocks: False",
    "not_literal.j2": "#jinja2: trim_blocks: nope\nx\n",
    "only_header.j2": "#jinja2: trim_blocks: False\n",
}

LOOKUPS = {
    **{
        name: f"{{{{ lookup('template', '{name}') }}}}"
        for name in TEMPLATES
        if name not in ("inc.j2", "only_header.j2")  # ansible: None (ours ""), module: ""
    },
    "lookup_delims": "{{ lookup('template', 'delims.j2', variable_start_string='<<', "
    "variable_end_string='>>', comment_start_string='[#', comment_end_string='#]') }}",
    "lookup_trim_false": "{{ lookup('template', 'plain.j2', trim_blocks=False) }}",
    "header_beats_lookup_option": "{{ lookup('template', 'a.j2', trim_blocks=True) }}",
    "lookup_template_vars": "{{ lookup('template', 'b.j2', template_vars={'x': 'Y'}) }}",
}


@pytest.fixture
def tdir(tmp_path: Path) -> Path:
    for name, text in TEMPLATES.items():
        (tmp_path / name).write_text(text, newline="")
    return tmp_path


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}


def test_template_lookup_matches_ansible_core(tdir, monkeypatch):
    pytest.importorskip("ansible", reason="ansible-core is the oracle")
    monkeypatch.chdir(tdir)
    payload = [{"template": t, "vars": VARS} for t in LOOKUPS.values()]
    proc = subprocess.run(
        [sys.executable, str(HERE / "ansible_oracle.py")],
        input=json.dumps(payload), capture_output=True, text=True, check=True, cwd=tdir,
        env=_clean_env(), timeout=300,
    )  # fmt: skip
    theirs = {
        k: {"error": True} if "error" in r else r
        for k, r in zip(LOOKUPS, json.loads(proc.stdout), strict=True)
    }
    t = Templar(VARS, basedir=tdir)
    ours = {}
    for name, tpl in LOOKUPS.items():
        try:
            ours[name] = {"ok": t.render(tpl)}
        except EdgeautoError:
            ours[name] = {"error": True}
    assert ours == theirs


def test_header_errors_point_at_the_first_line(tdir):
    t = Templar({}, basedir=tdir)
    with pytest.raises(TemplateError) as err:
        t.render_template_text((tdir / "bad_key.j2").read_text(), source="bad_key.j2")
    assert str(err.value).startswith("bad_key.j2:1:") and "bogus" in str(err.value)
    with pytest.raises(TemplateError, match="must be a boolean"):
        t.render_template_text("#jinja2: trim_blocks: 'no'\nx\n")
    with pytest.raises(TemplateError, match="missing newline"):
        t.render_template_text("#jinja2: trim_blocks: False")
    with pytest.raises(TemplateError, match="start strings must be different"):
        t.render_template_text("#jinja2: block_start_string: '{{'\nx\n")


def test_errors_below_a_header_keep_their_file_line(tdir):
    t = Templar({}, basedir=tdir)
    text = "#jinja2: lstrip_blocks: True\nline two\n{{ missing_var }}\n"
    with pytest.raises(TemplateError) as err:
        t.render_template_text(text, source="x.j2")
    assert str(err.value).startswith("x.j2:3:")
    with pytest.raises(TemplateError) as err:
        t.render_template_text("#jinja2: lstrip_blocks: True\nok\n{% if %}\n", source="y.j2")
    assert str(err.value).startswith("y.j2:3:")


def test_header_only_in_the_first_line():
    t = Templar({"x": 1})
    assert (
        t.render_template_text(" #jinja2: trim_blocks: False\n{{ x }}")
        == " #jinja2: trim_blocks: False\n1"
    )


# ------------------------------------------------------- template module vs ansible-playbook

MODULE_TASKS = [
    {"src": "a.j2", "dest": "out/a"},
    {"src": "a.j2", "dest": "out/a_args", "trim_blocks": True, "lstrip_blocks": False},
    {"src": "plain.j2", "dest": "out/plain_notrim", "trim_blocks": False},
    {"src": "plain.j2", "dest": "out/plain_lstrip", "lstrip_blocks": True},
    {"src": "plain.j2", "dest": "out/plain_crlf", "newline_sequence": "\\r\\n"},
    {"src": "c.j2", "dest": "out/c"},
    {"src": "c.j2", "dest": "out/c_args_cr", "newline_sequence": "\\r"},
    {"src": "b.j2", "dest": "out/b"},
    {"src": "blocks.j2", "dest": "out/blocks"},
    {"src": "d.j2", "dest": "out/d"},
    {"src": "only_header.j2", "dest": "out/only_header"},
    {
        "src": "delims.j2",
        "dest": "out/delims",
        "variable_start_string": "<<",
        "variable_end_string": ">>",
        "comment_start_string": "[#",
        "comment_end_string": "#]",
    },
]


def _playbook(root: Path) -> Path:
    (root / "out").mkdir()
    tasks = []
    for args in MODULE_TASKS:
        tasks.append({"template": {**args, "dest": str(root / args["dest"])}})
    play = [{"hosts": "localhost", "gather_facts": False, "vars": VARS, "tasks": tasks}]
    path = root / "pb.yml"
    path.write_text(json.dumps(play))
    return path


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "out").iterdir())}


def test_template_module_options_and_header_match_ansible_playbook(tmp_path):
    binary = Path(sys.executable).parent / "ansible-playbook"
    if not binary.exists():
        pytest.skip("ansible-playbook (oracle) missing")
    results = {}
    for who in ("ansible", "edgeauto"):
        root = tmp_path / who
        root.mkdir()
        for name, text in TEMPLATES.items():
            (root / name).write_text(text, newline="")
        pb = _playbook(root)
        if who == "ansible":
            argv = [str(binary), "-i", "localhost,", "-c", "local", str(pb)]
            argv += ["-e", f"ansible_python_interpreter={sys.executable}"]
        else:
            argv = [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local"]
            argv += [str(pb), "--no-retry-file"]
        proc = subprocess.run(
            argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=root,
            env=_clean_env(), timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, who + proc.stdout[-3000:] + proc.stderr[-3000:]
        results[who] = _outputs(root)
    assert results["edgeauto"] == results["ansible"]
    assert len(results["ansible"]) == len(MODULE_TASKS)
