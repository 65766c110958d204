"""`edgeauto completion bash|zsh|fish` and `edgeauto --version` (issue 15, item 2).

The bash tests source the generated script in a real bash and call the completion function
the way bash does on <TAB> (COMP_WORDS/COMP_CWORD set), so what is asserted is what a user
sees; zsh and fish check the script with the real shells when they are installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from edgeauto.cli import build_parser, version_text
from edgeauto.completion import command_words, script


def complete_bash(words: list[str], tmp_path) -> list[str]:
    path = tmp_path / "edgeauto.bash"
    path.write_text(script("bash", build_parser()))
    quoted = " ".join(f"'{w}'" for w in words)
    probe = (
        f"source {path}; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
        "_edgeauto; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_first_word_completes_to_commands(tmp_path):
    assert {"run", "check-syntax"} <= set(complete_bash(["edgeauto", ""], tmp_path))
    assert complete_bash(["edgeauto", "ru"], tmp_path) == ["run"]


def test_options_of_the_command_complete_after_a_dash(tmp_path):
    got = complete_bash(["edgeauto", "run", "--bec"], tmp_path)
    assert got == ["--become", "--become-user", "--become-method"]


def test_an_option_with_choices_completes_to_its_choices(tmp_path):
    assert complete_bash(["edgeauto", "run", "--become-method", "s"], tmp_path) == ["sudo", "su"]


def test_an_alias_of_a_command_gets_the_same_options(tmp_path):
    assert "--strict" in complete_bash(["edgeauto", "check_syntax", "--st"], tmp_path)


def test_other_words_complete_to_files(tmp_path):
    (tmp_path / "site.yml").write_text("[]\n")
    path = tmp_path / "s.bash"
    path.write_text(script("bash", build_parser()))
    probe = (
        f"cd {tmp_path}; source {path}; COMP_WORDS=(edgeauto run si); COMP_CWORD=2; "
        "_edgeauto; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["site.yml"]


def test_every_option_of_every_command_is_in_every_script():
    parser = build_parser()
    scripts = {shell: script(shell, parser) for shell in ("bash", "zsh", "fish")}
    for command in command_words(parser):
        for flag in command.options:
            word = flag if not flag.startswith("-") else flag.lstrip("-")
            for shell, text in scripts.items():
                assert word in text, f"{shell}: {command.name} {flag}"


@pytest.mark.parametrize("shell,check", [("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])])
def test_zsh_and_fish_scripts_parse_in_the_real_shell(shell, check, tmp_path):
    if not shutil.which(check[0]):
        pytest.skip(f"{check[0]} not installed (scripts/setup.sh installs it)")
    path = tmp_path / f"edgeauto.{shell}"
    path.write_text(script(shell, build_parser()))
    subprocess.run([*check, str(path)], check=True)


def test_fish_completes_commands_and_options_in_the_real_fish(tmp_path):
    if not shutil.which("fish"):
        pytest.skip("fish not installed (scripts/setup.sh installs it)")
    path = tmp_path / "edgeauto.fish"
    path.write_text(script("fish", build_parser()))
    probe = f"source {path}; complete -C 'edgeauto run --bec'"
    out = subprocess.run(["fish", "-c", probe], capture_output=True, text=True, check=True)
    assert "--become-method" in out.stdout


def test_version_names_the_compatible_ansible_core_and_the_config_file(tmp_path):
    (tmp_path / "ansible.cfg").write_text("[defaults]\nforks = 3\n")
    tmp_path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "EDGEAUTO_"))}
    out = subprocess.run(
        [sys.executable, "-m", "edgeauto", "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[0].startswith("edgeauto ")
    assert "compatible with ansible-core 2.19" in out
    assert f"config file = {tmp_path / 'ansible.cfg'}" in out


def test_version_without_a_config_file_says_none():
    assert "config file = None" in version_text(None)
