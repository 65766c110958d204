"""ansible-core 2.19 renders templates with ``escape_backslashes`` (a string literal keeps its
backslashes) but evaluates conditionals without it, so ``'\\\\z'`` in a ``when``/``assert`` is
one backslash and a z (the command_shell target asserts ``stdout == '\\\\z'``)."""

from edgeauto.templating import Templar


def test_a_conditional_unescapes_backslashes_in_string_literals_like_jinja():
    t = Templar({"out": "\\z", "word": "a1"})
    assert t.is_true("out == '\\\\z'")
    assert t.is_true("word is match('a\\\\d')")


def test_a_template_keeps_the_backslashes_of_its_string_literals():
    assert Templar({}).render("{{ '\\\\z' }}") == "\\\\z"
