"""What the command_shell and loops targets of ansible-core found (issue 10): behaviours
checked against ansible-core 2.19's own code."""

import os

from edgeauto.errors import EXIT_OK


def test_chdir_gives_the_command_the_physical_directory_in_pwd_as_os_chdir_does(lab):
    (lab.work / "real" / "site").mkdir(parents=True)
    os.symlink(lab.work / "real", lab.work / "link")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: chdir
              shell: dirname "$PWD"
              args: {chdir: WORK/link/site}
            - name: cd
              shell: cd WORK/link/site && dirname "$PWD"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.result_of("h1", "chdir")["stdout"] == str((lab.work / "real").resolve())
    assert rep.result_of("h1", "cd")["stdout"] == str(lab.work / "link")


def test_a_loop_that_cannot_be_templated_is_skipped_when_its_condition_is_false(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: guarded
              debug: msg=loop
              when: false
              loop: "{{ fake_var }}"
            - name: unguarded
              debug: msg=loop
              loop: "{{ fake_var }}"
              ignore_errors: true
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "guarded") == "skipped"
    assert "fake_var" in rep.result_of("h1", "unguarded")["msg"]
