"""``--list-hosts``, ``--list-tasks``, ``--list-tags``: what a run would touch, nothing executed."""

from __future__ import annotations


def list_hosts(run) -> str:
    lines = []
    for playbook in run.playbooks:
        lines.append(f"\nplaybook: {playbook.path}")
        for number, play in enumerate(playbook.plays, 1):
            hosts = run.select_hosts(play.hosts, play.vars)
            lines.append(
                f"\n  play #{number} ({play.hosts}): {play.display_name}\tTAGS: [{','.join(play.tags)}]"
            )
            lines.append(f"    pattern: ['{play.hosts}']")
            lines.append(f"    hosts ({len(hosts)}):")
            lines.extend(f"      {h}" for h in hosts)
    return "\n".join(lines)


def list_tasks(run) -> str:
    from edgeauto.playbook import iter_play_tasks

    sel = run.tag_selection
    lines = []
    for playbook in run.playbooks:
        lines.append(f"\nplaybook: {playbook.path}")
        for number, play in enumerate(playbook.plays, 1):
            lines.append(
                f"\n  play #{number} ({play.hosts}): {play.display_name}\tTAGS: [{','.join(play.tags)}]"
            )
            lines.append("    tasks:")
            for entry in iter_play_tasks(play):
                if sel.selects(entry.tags):
                    lines.append(
                        f"      {entry.task.display_name}\tTAGS: [{', '.join(entry.tags)}]"
                    )
    return "\n".join(lines)


def list_tags(run) -> str:
    from edgeauto.playbook import iter_play_tasks

    lines = []
    for playbook in run.playbooks:
        lines.append(f"\nplaybook: {playbook.path}")
        for number, play in enumerate(playbook.plays, 1):
            tags = set(play.tags)
            for entry in iter_play_tasks(play, handlers=True):
                tags.update(entry.tags)
            lines.append(
                f"\n  play #{number} ({play.hosts}): {play.display_name}\tTAGS: [{','.join(play.tags)}]"
            )
            lines.append(f"      TASK TAGS: [{', '.join(sorted(tags))}]")
    return "\n".join(lines)
