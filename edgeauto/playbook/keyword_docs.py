"""Documentation of playbook keywords edgeauto adds to Ansible's or reads differently, served
by ``edgeauto doc -t keyword NAME`` (as ``ansible-doc -t keyword`` serves Ansible's). Each
entry says where the keyword is accepted and whether ansible-playbook accepts it there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeywordDoc:
    name: str
    applies_to: tuple[str, ...]
    summary: str
    description: str
    ansible: str  # what ansible-playbook does with it
    examples: str = ""


KEYWORDS = {
    "serial": KeywordDoc(
        name="serial",
        applies_to=("play", "task", "handler"),
        summary="Run on that many hosts at a time, batch after batch",
        description=(
            "On a play (as in Ansible): the play runs on its hosts in batches; the next batch "
            "starts when the previous one ended.\n\n"
            "On a task or handler (an edgeauto extension): the rest of the play still runs on "
            "every host at once, but this task runs on N hosts at a time — the rolling restart. "
            "Hosts meet at the task (what they had pending is sent first, so the tasks before "
            "it still travel in one script per host), are split in inventory order, and each "
            "batch runs the task in a script of its own; the next batch starts when every host "
            "of this one is done. The tasks after it go on in one script per host again.\n\n"
            "Values: an integer; a percentage string ('30%', of the hosts that reach the task "
            "together, rounded down, at least one); or a list of those whose last entry "
            "repeats ([1, '50%']: a canary first). 0 means all at once. A template is rendered "
            "with the host's variables (the first host of the batch, in inventory order, "
            "decides); a bad value is a file:line error before anything runs, or, when it "
            "comes from a template, a failure of that task.\n\n"
            "Failures: a host whose serial task fails leaves the play (unless ignore_errors or "
            "a rescue handles it) and the other batches go on; any_errors_fatal and the play's "
            "max_fail_percentage (counted over the play's batch) stop the hosts still waiting; "
            "a batch in which every host failed stops the rollout and the play, as "
            "ansible-playbook stops a play whose whole batch failed. Hosts whose when skips the "
            "task do not take a turn. run_once wins over serial. Not allowed on include_*, "
            "import_* and meta."
        ),
        ansible=(
            "accepted on plays only: on a task or handler ansible-playbook refuses the playbook "
            "('conflicting action statements: …, serial'); `edgeauto lint` warns "
            "(edgeauto-extension)"
        ),
        examples=(
            "- hosts: web\n"
            "  tasks:\n"
            "    - name: New config everywhere at once\n"
            "      template: {src: app.conf.j2, dest: /etc/app.conf}\n"
            "      notify: Restart app\n"
            "  handlers:\n"
            "    - name: Restart app\n"
            "      service: {name: app, state: restarted}\n"
            "      serial: 1            # one host at a time\n"
        ),
    ),
}
