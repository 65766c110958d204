"""check-syntax finds an include_tasks loop that can never end, at the include's own line,
and leaves alone the loops that a condition, a loop variable or a rescue can end."""

from __future__ import annotations

from pathlib import Path

from edgeauto.playbook import check_playbook

PLAY = "- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: {first}\n"


def _problems(tmp_path: Path, files: dict[str, str], first: str = "a.yml") -> list[str]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    pb = tmp_path / "pb.yml"
    pb.write_text(PLAY.format(first=first))
    return [str(p) for p in check_playbook(pb)[1]]


def test_two_files_including_each_other_unconditionally_are_a_loop_named_at_the_include(
    tmp_path,
):
    problems = _problems(
        tmp_path,
        {"a.yml": "- debug: msg=a\n- include_tasks: b.yml\n", "b.yml": "- include_tasks: a.yml\n"},
    )
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'a.yml'}:2:")
    assert "include_tasks loop that never ends" in problems[0]
    assert "a.yml:2 → b.yml:1 → a.yml" in problems[0]


def test_a_file_including_itself_is_a_loop(tmp_path):
    problems = _problems(tmp_path, {"a.yml": "- name: again\n  include_tasks: a.yml\n"})
    assert len(problems) == 1 and "a.yml:2 → a.yml" in problems[0]


def test_a_loop_through_an_unconditional_block_is_still_a_loop(tmp_path):
    files = {"a.yml": "- block:\n    - include_tasks: a.yml\n  always:\n    - debug: msg=x\n"}
    assert len(_problems(tmp_path, files)) == 1


def test_a_conditional_include_ends_the_loop(tmp_path):
    files = {
        "a.yml": "- include_tasks: b.yml\n",
        "b.yml": "- include_tasks: a.yml\n  when: depth | int < 3\n",
    }
    assert _problems(tmp_path, files) == []


def test_an_include_in_a_guarded_block_or_a_rescue_or_a_loop_ends_the_loop(tmp_path):
    guarded = "- block:\n    - include_tasks: a.yml\n  when: again | default(false)\n"
    rescue = "- block:\n    - command: /bin/false\n  rescue:\n    - include_tasks: a.yml\n"
    looped = "- include_tasks: a.yml\n  loop: '{{ items | default([]) }}'\n"
    for text in (guarded, rescue, looped):
        assert _problems(tmp_path, {"a.yml": text}) == [], text


def test_a_conditional_first_include_does_not_hide_a_loop_below_it(tmp_path):
    files = {"a.yml": "- include_tasks: b.yml\n  when: go\n", "b.yml": "- include_tasks: b.yml\n"}
    problems = _problems(tmp_path, files)
    assert len(problems) == 1 and "b.yml:1 → b.yml" in problems[0]
