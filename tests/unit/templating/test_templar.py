"""Templar behaviour the executor relies on: native values, errors with positions, when-lists,
loop children, omit, secrets, static undefined-variable analysis."""

from __future__ import annotations

import pytest

from edgeauto.errors import Position, TemplateError, UndefinedVariableError
from edgeauto.templating import OMIT, Templar, VaultSecrets, find_undefined, is_omit, is_secret
from edgeauto.templating.vault import EncryptedString, encrypt
from edgeauto.yamlsrc import load_yaml_text

POS = Position("play.yml", 12, 7)


def test_single_expression_returns_native_value_and_text_stays_text():
    t = Templar({"n": 3, "l": [1, 2]})
    assert t.render("{{ n }}") == 3
    assert t.render("{{ l }}") == [1, 2]
    assert t.render("{{ n }} items") == "3 items"
    assert t.render("{{ n }}{{ n }}") == "33"
    assert t.render("plain") == "plain"


def test_render_walks_dicts_and_lists_and_keeps_non_strings():
    t = Templar({"name": "web", "port": 8080})
    args = {
        "name": "{{ name }}",
        "ports": ["{{ port }}", 22],
        "enabled": True,
        "{{ name }}_key": None,
    }
    assert t.render(args) == {"name": "web", "ports": [8080, 22], "enabled": True, "web_key": None}


def test_variables_are_templated_lazily_in_any_order():
    t = Templar(
        {"url": "http://{{ host }}:{{ port }}", "host": "{{ name }}.lab", "name": "n1", "port": 80}
    )
    assert t.render("{{ url }}") == "http://n1.lab:80"


def test_self_referencing_variable_is_reported_not_a_crash():
    t = Templar({"a": "{{ b }}", "b": "{{ a }}"})
    with pytest.raises(TemplateError) as err:
        t.render("{{ a }}", pos=POS)
    assert "refers to itself" in str(err.value)


def test_undefined_variable_error_names_variable_and_position():
    with pytest.raises(UndefinedVariableError) as err:
        Templar({}).render("{{ pkg_name }}", pos=POS)
    assert err.value.pos == POS
    assert err.value.variable == "pkg_name"
    assert str(err.value).startswith("play.yml:12:7: undefined variable 'pkg_name'")


def test_undefined_inside_another_variable_says_which_one():
    with pytest.raises(UndefinedVariableError) as err:
        Templar({"a": "{{ nothere }}"}).render("{{ a }}")
    assert "nothere" in str(err.value) and "'a'" in str(err.value)


def test_missing_attribute_on_defined_dict_is_undefined():
    t = Templar({"d": {"a": 1}})
    with pytest.raises(UndefinedVariableError) as err:
        t.render("{{ d.b }}")
    assert "has no attribute 'b'" in str(err.value)
    assert t.render("{{ d.b | default('x') }}") == "x"


def test_syntax_error_is_template_error_with_position():
    with pytest.raises(TemplateError) as err:
        Templar({}).render("{{ foo( }}", pos=POS)
    assert err.value.pos == POS and "syntax error" in str(err.value)


def test_filter_exception_becomes_template_error():
    with pytest.raises(TemplateError) as err:
        Templar({}).render("{{ 'x' | from_json }}", pos=POS)
    assert err.value.pos == POS and "JSONDecodeError" in str(err.value)


def test_evaluate_bare_expressions():
    t = Templar({"items": [1, 2, 3], "state": "present"})
    assert t.evaluate("items | select('gt', 1) | list") == [2, 3]
    assert t.evaluate("state == 'present'") is True
    assert t.evaluate("{{ items }}") == [1, 2, 3]


def test_is_true_handles_bools_strings_lists_and_empty():
    t = Templar({"x": 5, "flag": False, "res": {"rc": 0}})
    assert t.is_true(None) and t.is_true([]) and t.is_true(True)
    assert not t.is_true(False)
    assert t.is_true(["x > 1", "res.rc == 0", True])
    assert not t.is_true(["x > 1", "flag"])
    assert t.is_true("x is defined and y is not defined")


def test_is_true_with_braces_renders_then_evaluates_and_warns():
    t = Templar({"go": True, "answer": "False", "s": "yes"})
    assert t.is_true(["{{ go }}"], pos=POS)
    assert not t.is_true("{{ answer }}")  # text 'False' is evaluated as an expression
    assert any("play.yml:12:7" in w and "delimiters" in w for w in t.warnings)
    with pytest.raises(UndefinedVariableError):  # like ansible-core 2.19: 'yes' is a name
        t.is_true("{{ s }}")


@pytest.mark.parametrize("cond", ["s", "n", "lst", "{{ n }}", "none"])
def test_non_boolean_conditional_result_is_an_error_like_ansible_219(cond):
    t = Templar({"s": "yes", "n": 0, "lst": [1]})
    with pytest.raises(TemplateError) as err:
        t.is_true([cond], pos=POS)
    assert "must have a boolean result" in str(err.value) and err.value.pos == POS


@pytest.mark.parametrize("cond", [1, "", "  "])
def test_conditional_must_be_a_non_empty_expression(cond):
    with pytest.raises(TemplateError):
        Templar({}).is_true([cond])


def test_is_true_undefined_raises():
    with pytest.raises(UndefinedVariableError):
        Templar({}).is_true(["nope == 1"])


def test_with_vars_overlays_item_without_touching_parent():
    t = Templar({"base": "/srv", "path": "{{ base }}/{{ item }}"})
    children = [t.with_vars({"item": name}) for name in ("a", "b")]
    assert [c.render("{{ path }}") for c in children] == ["/srv/a", "/srv/b"]
    with pytest.raises(UndefinedVariableError):
        t.render("{{ item }}")


def test_omit_is_preserved_for_callers_to_drop():
    t = Templar({"mode": None})
    rendered = t.render({"mode": "{{ mode | default(omit, true) }}", "path": "/x"})
    assert is_omit(rendered["mode"]) and rendered["mode"] == OMIT
    assert not is_omit(rendered["path"])


def test_unsafe_strings_are_never_templated():
    data = load_yaml_text("raw: !unsafe '{{ not_a_var }}'\nuse: '{{ raw }}'\n")
    t = Templar(data)
    assert t.render("{{ use }}") == "{{ not_a_var }}"
    assert t.render(data["raw"]) == "{{ not_a_var }}"


def test_vault_values_decrypt_on_use_and_are_marked_secret():
    secrets = VaultSecrets.from_password("pw")
    enc = EncryptedString(encrypt(b"hunter2", secrets))
    t = Templar({"pw": enc, "conn": "user:{{ pw }}", "plain": "x"}, vault=secrets)
    assert t.render("{{ pw }}") == "hunter2"
    assert is_secret(t.render("{{ pw }}"))
    assert is_secret(t.render("{{ conn | upper }}"))
    assert is_secret(t.render({"a": "{{ conn }}"}))
    assert not is_secret(t.render("{{ plain }}"))
    assert t.render(enc) == "hunter2"
    assert "hunter2" not in repr(enc) and "hunter2" not in str(enc)


def test_find_undefined_reports_only_unknown_free_variables():
    tpl = "{{ a }} {{ b | default(1) }} {% for x in items %}{{ x }}{{ c }}{% endfor %}{{ lookup('env', 'H') }}"
    assert find_undefined(tpl, {"a", "items"}) == ["b", "c"]
    assert find_undefined("no template", set()) == []
    assert find_undefined("{{ omit }} {{ range(3) }}", set()) == []


def test_render_template_text_always_returns_text_with_trim_blocks():
    t = Templar({"hosts": ["a", "b"]})
    text = "{% for h in hosts %}\nserver {{ h }}\n{% endfor %}\n"
    assert t.render_template_text(text) == "server a\nserver b\n"
    assert t.render_template_text("{{ 1 }}") == "1"


def test_templars_are_independent_objects():
    a, b = Templar({"x": 1}), Templar({"x": 2})
    assert (a.render("{{ x }}"), b.render("{{ x }}")) == (1, 2)


def test_registered_results_wrapped_as_data_are_never_templated():
    from edgeauto.templating import as_data

    result = as_data({"stdout": "Hello {{ name }}", "rc": 0})
    t = Templar({"out": result})
    assert t.render("{{ out.stdout }}") == "Hello {{ name }}"
    assert t.render("{{ out }}") == {"stdout": "Hello {{ name }}", "rc": 0}
    assert t.render("{{ lookup('vars', 'out').stdout }}") == "Hello {{ name }}"


def test_loop_items_from_with_vars_are_not_templated_again():
    t = Templar({"name": "x"})
    child = t.with_vars({"item": "{{ name }}", "res": {"stdout": "{{ nope }}"}})
    assert child.render("{{ item }}") == "{{ name }}"
    assert child.render("{{ res.stdout }}") == "{{ nope }}"


def test_error_inside_a_variable_points_at_task_and_names_the_definition():
    data = load_yaml_text("greeting: 'hi {{ who }}'\n", "vars/main.yml")
    with pytest.raises(UndefinedVariableError) as err:
        Templar(data).render("{{ greeting }}", pos=POS)
    assert err.value.pos == POS
    assert err.value.variable == "who"
    assert "while templating variable 'greeting' defined at vars/main.yml:1:11" in str(err.value)


def test_render_template_text_accepts_template_module_options():
    t = Templar({"x": 1})
    text = "  {% if true %}\nv={{ x }}\n  {% endif %}\n"
    assert t.render_template_text(text) == "  v=1\n  \n"
    assert t.render_template_text(text, lstrip_blocks=True) == "v=1\n"
    assert t.render_template_text("a\nb\n", newline_sequence="\r\n") == "a\r\nb\r\n"
    assert (
        t.render_template_text(
            "[[ x ]] {{ x }}", variable_start_string="[[", variable_end_string="]]"
        )
        == "1 {{ x }}"
    )
    with pytest.raises(TemplateError):
        t.render_template_text("x", bogus=True)


def test_trailing_newlines_of_the_template_are_kept():
    t = Templar({"x": 1})
    assert t.render("{{ x }}\n\n") == "1\n\n"
    assert t.render_template_text("{% if true %}\nyes\n{% endif %}\n") == "yes\n"


def test_vars_magic_variable_reads_any_variable_by_computed_name():
    t = Templar({"kind": "web", "port_web": "{{ base + 1 }}", "base": 8000})
    assert t.render("{{ vars['port_' + kind] }}") == 8001
    assert t.render("{{ vars.nope is defined }}") is False
    assert "kind" in t.render("{{ vars.keys() | list }}")


def test_bcrypt_password_hash_verifies_with_bcrypt():
    bcrypt = pytest.importorskip("bcrypt")
    t = Templar({})
    hashed = t.render(
        "{{ 's3cret' | password_hash('bcrypt', 'abcdefghijklmnopqrstuu', rounds=4) }}"
    )
    assert hashed.startswith("$2b$04$abcdefghijklmnopqrstu")
    assert bcrypt.checkpw(b"s3cret", hashed.encode())
    with pytest.raises(TemplateError):
        t.render("{{ 'x' | password_hash('bcrypt', 'short') }}")


def test_json_query_filter_uses_jmespath():
    pytest.importorskip("jmespath")
    t = Templar({"users": [{"name": "a", "id": 1}, {"name": "b", "id": 2}]})
    assert t.render("{{ users | json_query('[?id > `1`].name') }}") == ["b"]
    assert t.render("{{ users | community.general.json_query('[*].id') }}") == [1, 2]


def test_unknown_filter_suggests_the_close_name():
    with pytest.raises(TemplateError) as err:
        Templar({"x": 1}).render("{{ x | to_nice_jsn }}", pos=POS)
    assert "No filter named 'to_nice_jsn'" in str(err.value)
    assert "did you mean 'to_nice_json'" in str(err.value)


def test_check_template_reports_syntax_and_unknown_filters_without_rendering():
    from edgeauto.templating import check_template

    check_template("{{ undefined_is_fine_here | default(1) }}")
    check_template("no template")
    with pytest.raises(TemplateError) as err:
        check_template("line1\n{{ x | nosuchfilter }}", POS)
    assert "nosuchfilter" in str(err.value) and err.value.pos.line == 13


def test_lazy_mappings_are_not_walked_when_read():
    from collections.abc import Mapping

    class Lazy(Mapping):
        touched: list = []

        def __getitem__(self, k):
            self.touched.append(k)
            return {"v": "{{ 1 + 1 }}"}

        def __iter__(self):
            return iter(["a", "b"])

        def __len__(self):
            return 2

    lazy = Lazy()
    assert Templar({"hv": lazy}).render("{{ hv['a'].v }}") == "{{ 1 + 1 }}"
    assert lazy.touched == ["a"]


def test_a_map_result_is_a_list_so_a_registered_fact_can_be_searched_twice():
    """find target: `set_fact: l: "{{ r.files | map(attribute='path') }}"`, then two `in`."""
    from edgeauto.templating import Templar

    t = Templar({"files": [{"path": "a"}, {"path": "b"}]})
    value = t.render("{{ files | map(attribute='path') }}")
    assert value == ["a", "b"]
    assert "b" in value and "a" in value
