"""The Python↔sh contract: every ShellFunction declaration matches its ``remote/*.sh`` function.

Header form (docs/modules.md, "The shell function contract"): a comment line
``# ea_name PARAM PARAM ...`` before ``ea_name() {``, continued on comment lines that hold only
upper-case parameter names; a trailing variadic parameter is written ``NAME...``. The function
then unpacks ``$1 … ${N}`` in that order (and ``shift N`` when it takes a rest).
"""

import re

import pytest

from edgeauto.modules.registry import all_modules
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.remote.builder import REMOTE_DIR

PARAM = re.compile(r"[A-Z][A-Z0-9_]*(\.\.\.)?")
ALWAYS_INCLUDED = {"prelude.sh"}  # the builder starts every script with it


def declarations() -> dict[str, ShellFunction]:
    found: dict[str, ShellFunction] = {}
    from edgeauto.modules.fallback.module import FallbackModule  # Ansible's own modules

    for module in [*all_modules().values(), FallbackModule]:
        for fn in getattr(module, "shell_functions", ()):
            assert found.setdefault(fn.name, fn) is fn, f"{fn.name} declared twice"
    return found


DECLARED = declarations()


def header_params(text: str, name: str) -> list[str]:
    """The parameter names of ``name``'s header comment (``# name A B ...`` + continuations)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(rf"#\s+{name}(\s|$)", line)]
    assert len(starts) == 1, f"{name}: expected one header line '# {name} PARAM ...'"
    words = lines[starts[0]].split()[2:]
    following = lines[starts[0] + 1 :]
    while following and re.fullmatch(r"#\s{2,}\S.*", following[0]):
        more = following.pop(0)[1:].split()
        if not all(PARAM.fullmatch(w) for w in more):
            break
        words += more
    assert all(PARAM.fullmatch(w) for w in words), f"{name}: header words {words}"
    return words


def function_body(text: str, name: str) -> str:
    match = re.search(rf"^{name}\(\) \{{\n(.*?)^\}}", text, re.M | re.S)
    assert match, f"no function {name}() in its file"
    return match.group(1)


def expected_header(fn: ShellFunction) -> list[str]:
    return [p.upper() for p in fn.params] + ([f"{fn.rest.upper()}..."] if fn.rest else [])


@pytest.mark.parametrize("fn", DECLARED.values(), ids=lambda fn: fn.name)
def test_the_sh_header_lists_the_declared_params_in_order(fn):
    text = (REMOTE_DIR / fn.file).read_text()
    assert header_params(text, fn.name) == expected_header(fn)


@pytest.mark.parametrize("fn", DECLARED.values(), ids=lambda fn: fn.name)
def test_the_sh_prologue_unpacks_the_params_in_declared_order(fn):
    body = function_body((REMOTE_DIR / fn.file).read_text(), fn.name)
    numbers = [int(n) for n in re.findall(r"^\s*\w+=\$\{?(\d+)\}?$", body, re.M)]
    assert numbers == list(range(1, len(fn.params) + 1))
    if fn.rest:
        assert re.search(rf"^\s*shift {len(fn.params)}$", body, re.M)


def test_every_declared_file_exists():
    for fn in DECLARED.values():
        for name in fn.files:
            assert (REMOTE_DIR / name).is_file(), f"{fn.name} needs missing remote/{name}"
            assert name not in ALWAYS_INCLUDED, f"{fn.name}: the builder always includes {name}"


# remote/*.sh that no module calls: the facts round trip embeds them (edgeauto/facts/)
FACTS_PROBES = {"edge_hw.sh"}


def test_every_remote_sh_file_is_declared():
    used = ALWAYS_INCLUDED | FACTS_PROBES | {n for fn in DECLARED.values() for n in fn.files}
    on_disk = {path.name for path in REMOTE_DIR.glob("*.sh")}
    assert on_disk - used == set()


def test_every_public_sh_function_is_declared():
    public = {
        m
        for path in REMOTE_DIR.glob("*.sh")
        for m in re.findall(r"^(ea_[a-z][a-z0-9_]*)\(\) \{", path.read_text(), re.M)
    }
    helpers = {  # called by other sh functions, not by a module: their $1… are documented inline
        m
        for name in ("prelude.sh", "fileattrs.sh")
        for m in re.findall(r"^(ea_[a-z][a-z0-9_]*)\(\)", (REMOTE_DIR / name).read_text(), re.M)
    }
    assert public - helpers - set(DECLARED) == set()


def test_every_remote_module_declares_the_functions_it_compiles_to():
    for module in all_modules().values():
        if module.runs_on == "remote":
            assert module.shell_functions, f"{module.name} declares no shell_functions"


def test_a_call_takes_keywords_fills_defaults_and_refuses_unknown_names():
    fn = ShellFunction("ea_x", "x.sh", params=("a", "b", "c"), rest="more", defaults={"b": "1"})
    call = fn.call(c="3", more=["m1", "m2"], stdin="in", payloads={"in": b"x"})
    assert call.argv == ["", "1", "3", "m1", "m2"]
    assert (call.files, call.stdin, call.payloads) == (["x.sh"], "in", {"in": b"x"})
    assert fn.named(call.argv) == {"c": "3", "more": ["m1", "m2"]}
    with pytest.raises(TypeError, match="unknown parameter"):
        fn.call(d="4")
    with pytest.raises(TypeError, match="must be a str"):
        fn.call(a=1)
    with pytest.raises(ValueError):
        ShellFunction("ea_y", "y.sh", params=("stdin",))
