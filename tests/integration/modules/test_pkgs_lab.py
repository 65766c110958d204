"""Package modules on real lab hosts: apt on fresh Debian hosts with the Debian mirror (small
packages: tree, hello, jq) and local .deb files built here; each converges (check mode
predicts the real run, the second run changes nothing), diff where Ansible gives one, and
bad arguments are refused before anything runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
        # (`apt: {state: present}` is not refused: as in Ansible, upgrade's default 'no'
        # satisfies required_one_of — tests/unit/planner/test_compat_target_fixes.py)
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


# ---- apk / opkg / package on busybox hosts (recorded stand-ins, see recorded/README.md) ----

RECORDED = Path(__file__).parent / "recorded"
APK_INDEX = "edgeauto-a 1.0-r0\nedgeauto-b 2.0-r0\n"
OPKG_FEED = (
    "Package: edgeauto-a\nVersion: 1.0\nArchitecture: all\nFilename: edgeauto-a_1.0_all.ipk\n\n"
    "Package: edgeauto-b\nVersion: 2.0\nArchitecture: all\nFilename: edgeauto-b_2.0_all.ipk\n\n"
)


def put(host, path: str, data: bytes, mode: str = "0644") -> None:
    cmd = f"mkdir -p $(dirname {path}) && cat > {path} && chmod {mode} {path}"
    subprocess.run([*host.ssh_argv("root"), cmd], input=data, check=True, capture_output=True)


def with_recorded(host, tool: str) -> None:
    """Install the recorded stand-in for ``tool`` and the repository/feed the test owns."""
    put(host, f"/usr/bin/{tool}", (RECORDED / tool).read_bytes(), "0755")
    if tool == "apk":
        put(host, "/srv/apk/INDEX", APK_INDEX.encode())
        put(host, "/etc/apk/repositories", b"file:///srv/apk\n")
    else:
        put(host, "/srv/opkg/Packages", OPKG_FEED.encode())
        put(host, "/etc/opkg/customfeeds.conf", b"src/gz local file:///srv/opkg\n")


APK_STATE = "cat /etc/apk/world /lib/apk/db/installed 2>/dev/null; ls /usr/share/recorded-apk 2>/dev/null; true"
OPKG_STATE = "cat /usr/lib/opkg/status 2>/dev/null; ls /usr/share/recorded-opkg 2>/dev/null; true"


def test_apk_recorded_install_latest_remove_on_busybox(tmp_path, lab_inventory, make_host):
    host = make_host(flavor="busybox")
    with_recorded(host, "apk")
    tasks = """
    - name: install two
      community.general.apk: {name: [edgeauto-a, edgeauto-b], update_cache: true}
    """
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=APK_STATE)
    assert real["install two"]["msg"] == "installed edgeauto-a edgeauto-b package(s)"
    assert real["install two"]["packages"] == ["edgeauto-a", "edgeauto-b"]
    assert again["install two"]["msg"] == "package(s) already installed"
    assert host.run("cat /etc/apk/world").stdout.split() == ["edgeauto-a", "edgeauto-b"]

    put(host, "/srv/apk/INDEX", APK_INDEX.replace("1.0-r0", "1.1-r0").encode())
    tasks = """
    - name: latest
      apk: {name: [edgeauto-a, edgeauto-b], state: latest}
    """
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=APK_STATE)
    assert check["latest"]["packages"] == real["latest"]["packages"] == ["edgeauto-a"]
    assert host.run("cat /usr/share/recorded-apk/edgeauto-a").stdout == "1.1-r0\n"

    tasks = """
    - name: remove
      apk: {name: edgeauto-b, state: removed}
    """
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=APK_STATE)
    assert real["remove"]["msg"] == "removed edgeauto-b package(s)"
    assert again["remove"]["msg"] == "package(s) already removed"


def test_opkg_recorded_install_pinned_and_remove_on_busybox(tmp_path, lab_inventory, make_host):
    host = make_host(flavor="busybox")
    with_recorded(host, "opkg")
    tasks = """
    - name: install
      community.general.opkg: {name: [edgeauto-a, edgeauto-b=2.0], update_cache: true}
    """
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=OPKG_STATE)
    assert check["install"]["msg"] == real["install"]["msg"] == "installed 2 package(s)"
    assert again["install"]["msg"] == "package(s) already present"
    assert "Installing edgeauto-a (1.0) to root..." in real["install"]["stdout"]
    assert host.run("opkg list-installed").stdout == "edgeauto-a - 1.0\nedgeauto-b - 2.0\n"
    tasks = """
    - name: remove
      opkg: {name: edgeauto-a, state: absent}
    - name: a version the feed lacks
      opkg: {name: edgeauto-b=9.9}
      ignore_errors: true
    """
    code, res, _ = play(tmp_path, lab_inventory, host, tasks)
    assert res["remove"]["msg"] == "removed 1 package(s)"
    assert res["a version the feed lacks"]["msg"] == "failed to install edgeauto-b=9.9"
    assert host.run("opkg list-installed").stdout == "edgeauto-b - 2.0\n"


def test_package_auto_drives_apt_on_debian(tmp_path, lab_inventory, fresh_host):
    fresh_host.run("apt-get update -q", check=True, timeout=300)
    tasks = """
    - name: generic install
      package: {name: tree, state: present}
    - name: generic removal
      ansible.builtin.package: {name: [hello], state: absent}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=INSTALLED)
    assert changed(real) == ["generic install"]
    assert "cache_updated" in real["generic install"]  # apt's keys
    assert "tree 2.1.0-1 ii" in fresh_host.run(INSTALLED).stdout


@pytest.mark.parametrize("tool", ["apk", "opkg"])
def test_package_auto_drives_apk_and_opkg_on_busybox(tmp_path, lab_inventory, make_host, tool):
    host = make_host(flavor="busybox")
    with_recorded(host, tool)
    if tool == "opkg":
        host.run("opkg update", check=True)
    tasks = """
    - name: generic install
      package: {name: "edgeauto-a,edgeauto-b", state: installed}
    """
    probe = APK_STATE if tool == "apk" else OPKG_STATE
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=probe)
    assert changed(real) == ["generic install"]
    marker = f"/usr/share/recorded-{tool}/edgeauto-b"
    assert host.run(f"test -f {marker}").returncode == 0


def test_package_without_a_known_manager_fails_clearly(tmp_path, lab_inventory, busybox_host):
    code, res, _ = play(
        tmp_path, lab_inventory, busybox_host, "- name: p\n  package: {name: x, state: present}"
    )
    assert code != 0
    assert "no supported package manager found" in res["p"]["msg"]


def test_package_refuses_a_backend_without_native_driver(tmp_path, lab_inventory, busybox_host):
    code, res, rec = play(
        tmp_path,
        lab_inventory,
        busybox_host,
        "- name: p\n  package: {name: x, state: present, use: dnf}",
    )
    assert code != 0
    assert (
        any("no native edgeauto backend" in e for e in rec.errors) or "no native" in res["p"]["msg"]
    )


# ---- dpkg_selections, package_facts, apt_key, apt_repository, deb822_repository ----


def test_dpkg_selections_hold_and_release(tmp_path, lab_inventory, fresh_host):
    probe = "dpkg --get-selections adduser"
    tasks = """
    - name: hold
      dpkg_selections: {name: adduser, selection: hold}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert (real["hold"]["before"], real["hold"]["after"]) == ("install", "hold")
    assert fresh_host.run(probe).stdout.split() == ["adduser", "hold"]
    # a held package is still installed for apt (dpkg status "hi")
    code, res, _ = play(tmp_path, lab_inventory, fresh_host, "- name: a\n  apt: {name: adduser}")
    assert res["a"]["changed"] is False, res
    code, res, _ = play(
        tmp_path,
        lab_inventory,
        fresh_host,
        """
        - name: unknown
          dpkg_selections: {name: no-such-pkg, selection: hold}
          ignore_errors: true
        - name: release
          ansible.builtin.dpkg_selections: {name: adduser, selection: install}
        """,
    )
    assert (
        res["unknown"]["msg"] == "Failed to find package 'no-such-pkg' to perform selection 'hold'."
    )
    assert res["release"]["changed"] is True


def test_package_facts_match_dpkg_on_debian(tmp_path, lab_inventory, debian_host):
    tasks = """
    - name: facts
      package_facts: {manager: auto}
    - name: show
      debug: {msg: "{{ ansible_facts.packages['apt'][0].version }} {{ ansible_facts.packages['apt'][0].source }}"}
    """
    code, res, _ = play(tmp_path, lab_inventory, debian_host, tasks, check=True)
    assert code == 0, res
    packages = res["facts"]["ansible_facts"]["packages"]
    listed = debian_host.run("dpkg-query -W -f='${Package} ${Version} ${Architecture}\\n'").stdout
    for line in listed.splitlines():
        name, version, arch = line.split()
        entry = packages[name if arch in ("amd64", "all") else f"{name}:{arch}"][0]
        assert (entry["version"], entry["arch"], entry["source"]) == (version, arch, "apt")
    assert res["show"]["msg"] == f"{packages['apt'][0]['version']} apt"


def test_package_facts_on_busybox_with_recorded_apk_and_opkg(tmp_path, lab_inventory, make_host):
    host = make_host(flavor="busybox")
    with_recorded(host, "apk")
    with_recorded(host, "opkg")
    host.run("apk add edgeauto-a && opkg update && opkg install edgeauto-b", check=True)
    code, res, _ = play(
        tmp_path, lab_inventory, host, "- name: f\n  package_facts: {strategy: all}"
    )
    assert res["f"]["ansible_facts"]["packages"] == {
        "edgeauto-a": [{"name": "edgeauto-a", "version": "1.0", "release": "r0", "source": "apk"}],
        "edgeauto-b": [{"name": "edgeauto-b", "version": "2.0", "source": "opkg"}],
    }
    code, res, _ = play(
        tmp_path,
        lab_inventory,
        host,
        "- name: f\n  package_facts: {manager: [apt]}\n  ignore_errors: true",
    )
    assert "Could not detect a supported package manager" in res["f"]["msg"]


def make_key(tmp_path) -> tuple[str, str]:
    """A fresh ed25519 OpenPGP public key (armored) and its long key id, made with gpg here."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "edgeauto test <tests@example.invalid>",
            "ed25519",
            "sign",
            "never",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    armored = subprocess.run(
        ["gpg", "--armor", "--export"], env=env, check=True, capture_output=True, text=True
    ).stdout
    colons = subprocess.run(
        ["gpg", "--with-colons", "--list-keys"], env=env, check=True, capture_output=True, text=True
    ).stdout
    keyid = next(line.split(":")[4] for line in colons.splitlines() if line.startswith("pub"))
    subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True)
    return armored, keyid


@pytest.mark.skipif(
    subprocess.run(["which", "gpg"], capture_output=True).returncode, reason="no gpg here"
)
def test_apt_key_adds_and_removes_a_key_from_data(tmp_path, lab_inventory, fresh_host):
    armored, keyid = make_key(tmp_path)
    fresh_host.run("apt-get update -q", check=True, timeout=300)
    code, res, _ = play(
        tmp_path,
        lab_inventory,
        fresh_host,
        "- name: gnupg\n  apt: {name: gnupg, install_recommends: false}",
    )
    assert code == 0, res
    (tmp_path / "key.asc").write_text(armored)
    tasks = f"""
    - name: add
      apt_key:
        data: "{{{{ lookup('file', '{tmp_path / "key.asc"}') }}}}"
    """
    probe = "apt-key adv --list-public-keys --keyid-format=long 2>/dev/null | grep ^pub"
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert real["add"]["key_id"] == real["add"]["fp"] == keyid
    assert real["add"]["short_id"] == keyid[-8:]
    assert keyid in real["add"]["after"] and keyid not in real["add"]["before"]
    assert keyid in fresh_host.run(probe).stdout
    tasks = f"""
    - name: remove
      apt_key: {{id: "0x{keyid[-8:].lower()}", state: absent}}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert keyid not in fresh_host.run(probe).stdout


def local_repo(tmp_path, host, where: str) -> None:
    """A flat file:// apt repository on the host: the probe .deb and a hand-written Packages."""
    import hashlib

    deb = build_deb(tmp_path, version="3.0")
    data = deb.read_bytes()
    put(host, f"{where}/{deb.name}", data)
    packages = (
        "Package: edgeauto-probe\nVersion: 3.0\nArchitecture: all\n"
        "Maintainer: edgeauto tests <tests@example.invalid>\n"
        f"Filename: ./{deb.name}\nSize: {len(data)}\n"
        f"SHA256: {hashlib.sha256(data).hexdigest()}\n"
        "Description: edgeauto test package\n\n"
    )
    put(host, f"{where}/Packages", packages.encode())


def test_apt_repository_adds_a_local_repository_apt_installs_from_it(
    tmp_path, lab_inventory, fresh_host
):
    local_repo(tmp_path, fresh_host, "/srv/repo")
    fresh_host.run(
        "echo '# deb [trusted=yes] file:///srv/repo ./' > /etc/apt/sources.list.d/old.list"
    )
    tasks = """
    - name: add the repo
      apt_repository: {repo: "deb [trusted=yes] file:///srv/repo ./", update_cache: true}
    """
    probe = "cat /etc/apt/sources.list.d/*.list"
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    # the disabled copy is enabled again instead of a duplicate in srv_repo.list
    assert real["add the repo"]["sources_added"] == []
    assert fresh_host.run("cat /etc/apt/sources.list.d/old.list").stdout == (
        "deb [trusted=yes] file:///srv/repo ./\n"
    )
    code, res, _ = play(
        tmp_path, lab_inventory, fresh_host, "- name: i\n  apt: {name: edgeauto-probe}"
    )
    assert code == 0, res
    assert fresh_host.run("cat /usr/share/edgeauto-probe/VERSION").stdout == "3.0\n"

    fresh_host.run("rm /etc/apt/sources.list.d/old.list", check=True)
    tasks = """
    - name: own file
      apt_repository: {repo: "deb [trusted=yes] file:///srv/repo ./", update_cache: false, mode: "0600"}
    """
    check, real, again = converge(
        tmp_path, lab_inventory, fresh_host, tasks, probe="ls /etc/apt/sources.list.d"
    )
    assert real["own file"]["sources_added"] == ["/etc/apt/sources.list.d/srv_repo.list"]
    assert check["own file"]["diff"][0]["after"] == "deb [trusted=yes] file:///srv/repo ./\n"
    assert fresh_host.run("stat -c %a /etc/apt/sources.list.d/srv_repo.list").stdout == "600\n"
    tasks = """
    - name: drop it
      apt_repository: {repo: "deb  [trusted=yes]  file:///srv/repo ./", state: absent, update_cache: false}
    """
    check, real, again = converge(
        tmp_path, lab_inventory, fresh_host, tasks, probe="ls /etc/apt/sources.list.d"
    )
    assert real["drop it"]["sources_removed"] == ["/etc/apt/sources.list.d/srv_repo.list"]


DEB822 = """\
X-Repolib-Name: Local Repo
Suites: ./
Trusted: yes
Types: deb
URIs: file:///srv/repo2
"""


def test_deb822_repository_file_converges_and_apt_reads_it(tmp_path, lab_inventory, fresh_host):
    local_repo(tmp_path, fresh_host, "/srv/repo2")
    tasks = """
    - name: deb822
      deb822_repository: {name: Local Repo, uris: file:///srv/repo2, suites: ./, trusted: true}
    """
    probe = "cat /etc/apt/sources.list.d/local-repo.sources 2>/dev/null; true"
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert real["deb822"]["dest"] == "/etc/apt/sources.list.d/local-repo.sources"
    assert real["deb822"]["repo"] == DEB822
    assert fresh_host.run(probe).stdout == DEB822
    assert fresh_host.run("stat -c %a /etc/apt/sources.list.d/local-repo.sources").stdout == "644\n"
    out = fresh_host.run(
        "apt-get update -q 2>&1; apt-cache policy edgeauto-probe", timeout=300
    ).stdout
    assert "3.0" in out
    tasks = """
    - name: gone
      deb822_repository: {name: Local Repo, state: absent}
    """
    check, real, again = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert real["gone"]["changed"] and fresh_host.run(probe).stdout == ""


# ---- pip: a python host given pip + venv by the apt module, wheels built here ----


def build_wheel(tmp_path, version: str) -> Path:
    """A minimal pure-Python wheel of ``edgeauto-probe`` (zip with dist-info and RECORD)."""
    import base64
    import hashlib
    import zipfile

    files = {
        "edgeauto_probe/__init__.py": f'VERSION = "{version}"\n',
        f"edgeauto_probe-{version}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: edgeauto-probe\nVersion: {version}\n"
        ),
        f"edgeauto_probe-{version}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: edgeauto-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    record = []
    for name, body in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(body.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(body.encode())}")
    record_name = f"edgeauto_probe-{version}.dist-info/RECORD"
    files[record_name] = "\n".join([*record, f"{record_name},,"]) + "\n"
    path = tmp_path / f"edgeauto_probe-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return path


PIP_ENV = '  environment: {PIP_NO_INDEX: "1", PIP_FIND_LINKS: /srv/wheels}\n'


def test_pip_in_a_venv_with_local_wheels(tmp_path, lab_inventory, make_host):
    host = make_host(with_python=True)
    host.run("apt-get update -q", check=True, timeout=300)
    code, res, _ = play(
        tmp_path,
        lab_inventory,
        host,
        "- name: pip and venv\n  apt: {name: [python3-pip, python3-venv], install_recommends: false}",
    )
    assert code == 0, res
    for version in ("1.0", "2.0"):
        wheel = build_wheel(tmp_path, version)
        put(host, f"/srv/wheels/{wheel.name}", wheel.read_bytes())
    probe = "/opt/venv/bin/pip list --format=freeze 2>/dev/null | grep -i edgeauto; ls /opt; true"
    version_of = "/opt/venv/bin/python -c 'import edgeauto_probe; print(edgeauto_probe.VERSION)'"

    tasks = (
        "- name: venv and 1.0\n"
        '  pip: {name: edgeauto-probe, version: "1.0", virtualenv: /opt/venv, '
        'virtualenv_command: "python3 -m venv"}\n' + PIP_ENV
    )
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=probe)
    assert real["venv and 1.0"]["cmd"][-2:] == ["install", "edgeauto-probe==1.0"]
    assert "Successfully installed edgeauto-probe-1.0" in real["venv and 1.0"]["stdout"]
    assert again["venv and 1.0"]["changed"] is False
    assert host.run(version_of).stdout == "1.0\n"

    tasks = (
        "- name: upgrade\n"
        '  ansible.builtin.pip: {name: "edgeauto-probe>=2", virtualenv: /opt/venv}\n' + PIP_ENV
    )
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=probe)
    assert check["upgrade"]["changed"] and "edgeauto-probe==1.0" in check["upgrade"]["stdout"]
    assert host.run(version_of).stdout == "2.0\n"

    host.run("echo 'edgeauto-probe==1.0' > /srv/req.txt", check=True)
    tasks = "- name: requirements\n  pip: {requirements: /srv/req.txt, virtualenv: /opt/venv}\n"
    code, real, _ = play(tmp_path, lab_inventory, host, tasks + PIP_ENV)
    assert real["requirements"]["changed"] is True, real
    code, again, _ = play(tmp_path, lab_inventory, host, tasks + PIP_ENV)
    assert again["requirements"]["changed"] is False
    assert host.run(version_of).stdout == "1.0\n"

    tasks = "- name: remove\n  pip: {name: edgeauto-probe, state: absent, virtualenv: /opt/venv}\n"
    check, real, again = converge(tmp_path, lab_inventory, host, tasks, probe=probe)
    assert host.run(version_of).returncode != 0
    code, res, rec = play(
        tmp_path, lab_inventory, host, '- name: bad\n  pip: {name: [a, b], version: "1"}'
    )
    assert code != 0
