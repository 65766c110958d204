"""Package modules on real lab hosts: apt on fresh Debian hosts with the Debian mirror (small
packages: tree, hello, jq) and local .deb files built here; each converges (check mode
predicts the real run, the second run changes nothing), diff where Ansible gives one, and
bad arguments are refused before anything runs."""

from __future__ import annotations

import subprocess

import pytest
from pkgs_harness import changed, converge, play

pytestmark = pytest.mark.lab

INSTALLED = "dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\\n' tree hello jq edgeauto-probe 2>/dev/null; true"


def build_deb(tmp_path, name="edgeauto-probe", version="1.0", depends=""):
    """A tiny real .deb (one file under /usr/share/<name>/) made with dpkg-deb."""
    root = tmp_path / f"{name}_{version}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "usr/share" / name).mkdir(parents=True)
    (root / "usr/share" / name / "VERSION").write_text(version + "\n")
    control = (
        f"Package: {name}\nVersion: {version}\nArchitecture: all\n"
        f"Maintainer: edgeauto tests <tests@example.invalid>\n"
        f"Description: edgeauto test package\n"
    )
    if depends:
        control += f"Depends: {depends}\n"
    (root / "DEBIAN/control").write_text(control)
    out = tmp_path / f"{name}_{version}_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(out)],
        check=True,
        capture_output=True,
    )
    return out


APT_CACHE = """
- name: refresh the cache
  apt: {update_cache: true, cache_valid_time: 3600}
"""
APT_INSTALL = """
- name: install two packages
  ansible.builtin.apt:
    name: [tree, hello]
- name: install a pinned version glob
  apt: {name: "jq=1.6*", install_recommends: false}
"""


def test_apt_installs_from_the_mirror_check_predicts_and_second_run_is_unchanged(
    tmp_path, lab_inventory, fresh_host
):
    # a cache older than cache_valid_time, whatever the image's own age
    fresh_host.run("touch -d '2 hours ago' /var/lib/apt/lists", check=True)
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, APT_CACHE)
    assert real["refresh the cache"]["cache_updated"] is True
    assert isinstance(real["refresh the cache"]["cache_update_time"], int)
    assert again["refresh the cache"]["cache_updated"] is False
    # (check mode cannot see packages the cache does not know yet: Ansible's behaviour too)
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, APT_INSTALL, probe=INSTALLED)
    assert changed(real) == ["install two packages", "install a pinned version glob"]
    assert "tree" in check["install two packages"]["diff"]["prepared"]
    assert "Inst tree" in check["install two packages"]["stdout"]  # apt-get -s
    assert real["install two packages"]["cache_updated"] is False
    assert "Setting up tree" in real["install two packages"]["stdout"]
    assert again["install two packages"]["changed"] is False
    assert "stdout" not in again["install two packages"]
    out = fresh_host.run(INSTALLED).stdout
    assert "tree 2.1.0-1 ii" in out and "hello " in out and "jq 1.6" in out
    # apt-mark manual, as Ansible does
    assert "tree" in fresh_host.run("apt-mark showmanual").stdout.split()

    removal = """
    - name: remove with purge
      apt: {name: [tree, jq], state: absent, purge: true}
    - name: remove something never installed
      apt: {name: cowsay, state: absent}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, removal, probe=INSTALLED)
    assert changed(real) == ["remove with purge"]
    assert "Purg tree" in check["remove with purge"]["stdout"]
    assert "cache_updated" not in real["remove something never installed"]  # Ansible's exit
    assert fresh_host.run("dpkg-query -W -f='${db:Status-Abbrev}' tree").stdout.strip() in (
        "",
        "un",
    )

    latest = """
    - name: latest of an installed package
      apt: {name: hello, state: latest}
    - name: unknown package
      apt: {name: no-such-package-edgeauto}
      ignore_errors: true
    """
    code, res, _ = play(tmp_path, lab_inventory, fresh_host, latest)
    assert res["latest of an installed package"]["changed"] is False
    assert (
        res["unknown package"]["msg"]
        == "No package matching 'no-such-package-edgeauto' is available"
    )


def test_apt_deb_from_the_controller_and_from_a_target_path(tmp_path, lab_inventory, fresh_host):
    v1 = build_deb(tmp_path, version="1.0")
    v2 = build_deb(tmp_path, version="2.0")
    fresh_host.run("mkdir -p /root/debs", check=True)
    subprocess.run(
        [*fresh_host.ssh_argv("root"), f"cat > /root/debs/{v2.name}"],
        input=v2.read_bytes(),
        check=True,
    )
    tasks = f"""
    - name: deb from the controller
      apt: {{deb: "{v1}", remote_src: false}}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=INSTALLED)
    assert changed(real) == ["deb from the controller"]
    assert again["deb from the controller"]["stdout"] == ""
    assert fresh_host.run("cat /usr/share/edgeauto-probe/VERSION").stdout == "1.0\n"

    tasks = f"""
    - name: upgrade from a deb on the target
      apt: {{deb: /root/debs/{v2.name}}}
    """
    converge(tmp_path, lab_inventory, fresh_host, tasks, probe=INSTALLED)
    assert fresh_host.run("cat /usr/share/edgeauto-probe/VERSION").stdout == "2.0\n"

    tasks = f"""
    - name: downgrade refused
      apt: {{deb: "{v1}", remote_src: false}}
      ignore_errors: true
    - name: downgrade allowed
      apt: {{deb: "{v1}", remote_src: false, allow_downgrade: true}}
    """
    code, res, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert res["downgrade refused"]["failed"] is True
    assert "later version" in res["downgrade refused"]["msg"]
    assert res["downgrade allowed"]["changed"] is True
    assert fresh_host.run("cat /usr/share/edgeauto-probe/VERSION").stdout == "1.0\n"


@pytest.mark.parametrize(
    "task, message",
    [
        ("apt: {name: tree, state: installed-ish}", "must be one of"),
        ("apt: {name: tree, bogus: 1}", "has no argument 'bogus'"),
        ("apt: {name: tree, deb: /x.deb}", "mutually exclusive"),
        ("apt: {state: present}", "one of these arguments is required"),
    ],
)
def test_apt_bad_arguments_are_refused_before_anything_runs(
    tmp_path, lab_inventory, debian_host, task, message
):
    marker = f"/tmp/edgeauto-pkgs-{tmp_path.name}"
    tasks = f"""
    - name: would run first
      command: touch {marker}
    - name: bad
      {task}
    """
    code, res, rec = play(tmp_path, lab_inventory, debian_host, tasks)
    assert code != 0
    assert any(message in e for e in rec.errors), rec.errors
    assert debian_host.run(f"test -e {marker}").returncode != 0
