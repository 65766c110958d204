"""The files group (stat, slurp, fetch, blockinfile, replace, ini_file, find, tempfile,
assemble) in a real playbook over SSH on a debian lab host and on the busybox lab host (BusyBox
applets only, no Python): check mode predicts the real run, the real run converges, the second
run changes nothing, and the files on the host are what Ansible would leave."""

from __future__ import annotations

import textwrap

import pytest

from edgeauto.errors import EXIT_OK
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder

pytestmark = pytest.mark.lab


def play(tmp_path, inventory, text, host, **options):
    path = tmp_path / "site.yml"
    path.write_text(textwrap.dedent(text))
    rec = Recorder()
    result = Run(
        [path], RunOptions(inventory_sources=[str(inventory)], limit=[host], **options), rec
    )
    return result.execute(), rec


SETUP = """
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: "BASE/frags", state: directory}
    - copy: {dest: "BASE/frags/10-a", content: "a=1\\n"}
    - copy: {dest: "BASE/frags/20-b", content: "b=2"}
    - copy: {dest: "BASE/app.conf", content: "# app\\n[main]\\nport=1\\nname = x\\n[extra]\\n"}
    - copy: {dest: "BASE/app.ini", content: "[main]\\nport = 1\\n#host = x\\n"}
"""

MODULES = r"""
- hosts: all
  gather_facts: false
  tasks:
    - name: block after main
      blockinfile: {path: "BASE/app.conf", block: "k=v", insertafter: '^\[main\]'}
    - name: bump port
      replace: {path: "BASE/app.conf", regexp: '^port=1$', replace: 'port=2'}
    - name: ini host
      community.general.ini_file: {path: "BASE/app.ini", section: main, option: host, value: y}
    - name: ini new section
      ini_file: {path: "BASE/app.ini", section: extra, option: a, value: "1", mode: "0600"}
    - name: assemble
      assemble: {src: "BASE/frags", dest: "BASE/assembled", delimiter: "#--"}
    - name: stat
      stat: {path: "BASE/assembled", checksum_algorithm: sha256}
      register: st
    - name: find
      find: {paths: "BASE", patterns: "*.conf,*.ini", recurse: true}
      register: found
    - name: slurp
      slurp: {src: "BASE/assembled"}
      register: sl
    - name: fetch
      fetch: {src: "BASE/assembled", dest: fetched}
    - name: tempfile
      tempfile: {state: directory, path: "BASE", prefix: "t."}
      register: tmpd
      changed_when: false
    - name: check what was registered
      when: not ansible_check_mode
      assert:
        that:
          - st.stat.isreg and st.stat.size == 11 and st.stat.checksum | length == 64
          - st.stat.pw_name == 'root' and not st.stat.islnk
          - found.matched == 2
          - found.files | map(attribute='path') | map('basename') | sort == ['app.conf', 'app.ini']
          - sl.content == "YT0xCiMtLQpiPTI=" and sl.encoding == "base64"
          - tmpd.path is match('BASE/t\.')
"""

EXPECTED = {
    "app.conf": "# app\n[main]\n# BEGIN ANSIBLE MANAGED BLOCK\nk=v\n# END ANSIBLE MANAGED BLOCK\n"
    "port=2\nname = x\n[extra]\n",
    "app.ini": "[main]\nport = 1\nhost = y\n[extra]\na = 1\n",
    "assembled": "a=1\n#--\nb=2",
}


def converge_files(tmp_path, inventory, host, base):
    setup = SETUP.replace("BASE", base)
    modules = MODULES.replace("BASE", base)
    result, rec = play(tmp_path, inventory, setup, host.name)
    assert result.exit_code == EXIT_OK, rec.failed()
    result, check = play(tmp_path, inventory, modules, host.name, check=True)
    assert result.exit_code == EXIT_OK, check.failed()
    result, real = play(tmp_path, inventory, modules, host.name)
    assert result.exit_code == EXIT_OK, real.failed()
    # fetch is skipped in check mode, as ansible-playbook skips it; slurp of the file that
    # assemble only predicted fails there, which the engine reports as "would change"
    predicted = [t for t in check.changed(host.name) if t != "slurp"]
    assert predicted == [t for t in real.changed(host.name) if t != "fetch"]
    assert real.changed(host.name) == [
        "block after main",
        "bump port",
        "ini host",
        "ini new section",
        "assemble",
        "fetch",
    ]
    result, again = play(tmp_path, inventory, modules, host.name)
    assert result.exit_code == EXIT_OK, again.failed()
    assert again.changed(host.name) == []
    for name, content in EXPECTED.items():
        assert host.run(f"cat {base}/{name}", check=True).stdout == content, name
    assert host.run(f"stat -c %a {base}/app.ini", check=True).stdout.strip() == "600"
    fetched = tmp_path / "fetched" / host.name / base.lstrip("/") / "assembled"
    assert fetched.read_text() == EXPECTED["assembled"]


def test_files_modules_converge_on_a_debian_host(tmp_path, lab_inventory, fresh_host):
    converge_files(tmp_path, lab_inventory, fresh_host, "/srv/edgeauto-files")


def test_files_modules_converge_on_the_busybox_host(tmp_path, lab_inventory, busybox_host):
    base = "/tmp/edgeauto-files-lab"
    busybox_host.run(f"rm -rf {base}")
    try:
        converge_files(tmp_path, lab_inventory, busybox_host, base)
    finally:
        busybox_host.run(f"rm -rf {base}")


PERL = r"""
- hosts: all
  gather_facts: false
  tasks:
    - name: quote everything
      replace: {path: "BASE/pangram", regexp: '^([\S\s]+)$', replace: '"\1"'}
    - name: block after a multi-line match
      blockinfile:
        path: "BASE/listener"
        block: "k=v"
        insertafter: '(?m)SID_LIST_LISTENER_DG =\n.*\(SID_LIST ='
    - name: backrefs with a backreference
      lineinfile: {path: "BASE/refs", regexp: '^(REF) .* \1$', line: '\1 done', backrefs: true}
"""


def perl_path(tmp_path, inventory, host, base):
    host.run(f"rm -rf {base} && mkdir -p {base}", check=True)
    host.run(
        f"printf 'The quick fox\\n' >{base}/pangram && "
        f"printf 'SID_LIST_LISTENER_DG =\\n  (SID_LIST =\\n  )\\n' >{base}/listener && "
        f"printf 'REF a REF\\nREF b\\n' >{base}/refs",
        check=True,
    )
    result, check = play(tmp_path, inventory, PERL.replace("BASE", base), host.name, check=True)
    result2, real = play(tmp_path, inventory, PERL.replace("BASE", base), host.name)
    return (result, check), (result2, real)


def test_python_only_regexps_run_with_perl_on_a_debian_host(tmp_path, lab_inventory, fresh_host):
    base = "/srv/edgeauto-perl"
    (result, check), (result2, real) = perl_path(tmp_path, lab_inventory, fresh_host, base)
    assert result.exit_code == EXIT_OK == result2.exit_code, (check.failed(), real.failed())
    assert check.changed(fresh_host.name) == real.changed(fresh_host.name)
    assert len(real.changed(fresh_host.name)) == 3
    text = fresh_host.run(f"cat {base}/pangram {base}/listener {base}/refs", check=True).stdout
    assert text == (
        '"The quick fox\n"'
        "SID_LIST_LISTENER_DG =\n  (SID_LIST =\n# BEGIN ANSIBLE MANAGED BLOCK\nk=v\n"
        "# END ANSIBLE MANAGED BLOCK\n  )\n"
        "REF done\nREF b\n"
    )
    again = play(tmp_path, lab_inventory, PERL.replace("BASE", base), fresh_host.name)[1]
    assert again.changed(fresh_host.name) == ["quote everything"]  # it quotes again, as Ansible


def test_python_only_regexps_fail_naming_the_construct_on_the_busybox_host(
    tmp_path, lab_inventory, busybox_host
):
    base = "/tmp/edgeauto-perl-lab"
    try:
        (result, check), _ = perl_path(tmp_path, lab_inventory, busybox_host, base)
        failed = check.failed()
        assert failed and failed[0][0] == "quote everything"
        assert "needs perl on the target" in failed[0][1]["msg"]
        assert "\\S inside a bracket expression" in failed[0][1]["msg"]
        assert busybox_host.run(f"cat {base}/pangram", check=True).stdout == "The quick fox\n"
    finally:
        busybox_host.run(f"rm -rf {base}")
