"""varnames, config, csvfile, ini, password, random_choice, unvault, url, flattened.

The deterministic ones are compared with ansible-core's own Templar (``ansible_oracle.py`` run
in the same directory, so both find the same relative files). ``url`` talks to an HTTP server
on 127.0.0.1 started here on a port checked free first.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError, TemplateError
from edgeauto.templating import Templar, VaultSecrets, is_secret
from edgeauto.templating.vault import encrypt

HERE = Path(__file__).parent


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "t.tsv").write_text("a\t1\tx\nb\t2\ty\n")
    (tmp_path / "c.csv").write_text('name,age,town\nbob,3,Ulm\n"al ice",4,"Bad Urach"\n')
    (tmp_path / "a.ini").write_text(
        "[global]\nuser=root\nUser2 = x\n[db]\nhost = h1\nport=5432\npath=%(host)s/x\n"
    )
    (tmp_path / "n.ini").write_text("[s]\nflag\nk=v\n")
    (tmp_path / "p.properties").write_text("k1=v1\nk2 = v 2\n")
    return tmp_path


ORACLE_CASES = {
    "csv_tab_default": "{{ lookup('csvfile', 'b file=t.tsv') }}",
    "csv_col2": "{{ lookup('csvfile', 'a file=t.tsv col=2') }}",
    "csv_kwargs": "{{ lookup('csvfile', 'bob', file='c.csv', delimiter=',', col=2) }}",
    "csv_spaced_key": "{{ lookup('csvfile', 'al ice file=c.csv delimiter=, col=2') }}",
    "csv_keycol": "{{ lookup('csvfile', '4', file='c.csv', delimiter=',', keycol=1, col=0) }}",
    "csv_missing_default": "{{ lookup('csvfile', 'zz', file='c.csv', delimiter=',', default='d') }}",
    "csv_missing_nothing": "{{ query('csvfile', 'zz', file='c.csv', delimiter=',') }}",
    "ini_global": "{{ lookup('ini', 'user', file='a.ini') }}",
    "ini_case_insensitive": "{{ lookup('ini', 'USER2', file='a.ini') }}",
    "ini_inline": "{{ lookup('ini', 'path section=db file=a.ini') }}",
    "ini_no_interpolation": "{{ lookup('ini', 'path', section='db', file='a.ini', interpolation=False) }}",
    "ini_re": "{{ query('ini', 'p.*', section='db', file='a.ini', re=True) }}",
    "ini_no_value": "{{ query('ini', 'flag', section='s', file='n.ini', allow_no_value=True) }}",
    "ini_default": "{{ query('ini', 'nokey', file='a.ini', default='dd') }}",
    "ini_case_sensitive_miss": "{{ lookup('ini', 'USER2', file='a.ini', case_sensitive=True) }}",
    "properties": "{{ lookup('ini', 'k2', type='properties', file='p.properties') }}",
    "varnames": "{{ query('varnames', '^al', 'ps$') }}",
    "varnames_lookup": "{{ lookup('varnames', '^beta') }}",
    "config_default": "{{ lookup('config', 'DEFAULT_ROLES_PATH') }}",
    "config_forks": "{{ lookup('config', 'DEFAULT_FORKS') }}",
    "config_skip": "{{ query('config', 'NOPE_NOT_A_SETTING', on_missing='skip') }}",
    "password_seeded": "{{ lookup('password', '/dev/null', chars=['digits'], length=9, seed='x') }}",
    "password_stored_hash": "{{ lookup('password', 'pw/stored', encrypt='sha512_crypt') }}",
    "password_md5": "{{ lookup('password', 'pw/short', encrypt='md5_crypt') }}",
    "password_salt_too_long": "{{ lookup('password', 'pw/stored', encrypt='md5_crypt') }}",
    "random_choice_one": "{{ lookup('random_choice', 'only') }}",
    "random_choice_none": "{{ query('random_choice') }}",
    "empty_lookup": "{{ lookup('varnames', '^nothing_matches') }}",
}
VARS = {"alpha": 1, "alps": 2, "beta": 3}


def _oracle(cwd: Path, cases: dict[str, str]) -> dict[str, dict]:
    pytest.importorskip("ansible", reason="ansible-core is the oracle")
    payload = [{"template": t, "vars": VARS} for t in cases.values()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    proc = subprocess.run(
        [sys.executable, str(HERE / "ansible_oracle.py")],
        input=json.dumps(payload), capture_output=True, text=True, check=True, cwd=cwd,
        env=env, timeout=300,
    )  # fmt: skip
    results = json.loads(proc.stdout)
    return {k: {"error": True} if "error" in r else r for k, r in zip(cases, results, strict=True)}


def _ours(templar: Templar, cases: dict[str, str]) -> dict[str, dict]:
    out = {}
    for name, tpl in cases.items():
        try:
            out[name] = {"ok": json.loads(json.dumps(templar.render(tpl)))}
        except EdgeautoError:
            out[name] = {"error": True}  # messages differ; failing or not must not
    return out


def test_lookups_match_ansible_core(files, monkeypatch):
    # a stored password with a salt: both must give the same hash from it
    (files / "pw").mkdir()
    (files / "pw" / "stored").write_text("s3cret salt=abcdefgh12345678\n")
    (files / "pw" / "short").write_text("s3cret salt=abcd1234\n")
    monkeypatch.chdir(files)
    theirs = _oracle(files, ORACLE_CASES)
    ours = _ours(Templar(VARS, basedir=files), ORACLE_CASES)
    assert ours == theirs


def test_varnames_sees_loop_vars_and_rejects_bad_regex():
    t = Templar({"a1": 1}).with_vars({"a2": 2})
    assert sorted(t.render("{{ query('varnames', '^a') }}")) == ["a1", "a2"]
    with pytest.raises(TemplateError, match="unable to use"):
        t.render("{{ query('varnames', '(') }}")


def test_config_lookup_reads_active_config_with_origin(tmp_path, monkeypatch):
    from edgeauto import config

    (tmp_path / "ansible.cfg").write_text("[defaults]\nforks = 17\n")
    cfg = config.load_config(environ={"ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg")})
    monkeypatch.setattr(config.load, "_ACTIVE", cfg)
    t = Templar({})
    assert t.render("{{ lookup('config', 'DEFAULT_FORKS') }}") == 17
    value, origin = t.render("{{ lookup('config', 'DEFAULT_FORKS', show_origin=True) }}")
    assert value == 17 and origin.endswith("ansible.cfg")
    with pytest.raises(TemplateError, match="unable to find setting NOPE"):
        t.render("{{ lookup('config', 'NOPE') }}")
    assert t.render("{{ query('config', 'NOPE', on_missing='warn') }}") == []
    assert any("NOPE" in w for w in t.warnings)
    with pytest.raises(TemplateError, match="plugin settings"):
        t.render("{{ lookup('config', 'x', plugin_type='become', plugin_name='sudo') }}")
    with pytest.raises(TemplateError, match="both plugin_type and plugin_name"):
        t.render("{{ lookup('config', 'x', plugin_type='become') }}")


def test_password_created_once_mode_0600_and_reused(tmp_path):
    t = Templar({}, basedir=tmp_path)
    first = t.render("{{ lookup('password', 'creds/db length=12 chars=ascii_letters,digits') }}")
    path = tmp_path / "creds" / "db"
    assert len(first) == 12 and first.isalnum() and is_secret(first)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == first + "\n"
    again = t.render("{{ lookup('password', 'creds/db length=30') }}")
    assert again == first  # stored: length no longer matters
    assert sorted(os.listdir(path.parent)) == ["db"]  # no temp or lock files left
    # encrypt adds a salt to the file once; the hash is then stable
    h1 = t.render("{{ lookup('password', 'creds/db', encrypt='sha256_crypt') }}")
    h2 = t.render("{{ lookup('password', 'creds/db', encrypt='sha256_crypt') }}")
    assert h1 == h2 and h1.startswith("$5$")
    assert path.read_text().startswith(first + " salt=")
    with pytest.raises(TemplateError, match="unrecognized parameter"):
        t.render("{{ lookup('password', 'creds/db lenght=3') }}")


def test_password_dev_null_never_stored_and_chars_commas(tmp_path):
    t = Templar({}, basedir=tmp_path)
    value = t.render("{{ lookup('password', '/dev/null', chars=',,', length=4) }}")
    assert value == ",,,,"
    assert os.listdir(tmp_path) == []


def test_random_choice_picks_a_term():
    t = Templar({"xs": ["a", "b", "c"]})
    for _ in range(5):
        assert t.render("{{ lookup('random_choice', xs) }}") in ("a", "b", "c")


def test_flattened_fqcn_and_none_stops():
    t = Templar({"x": [1, [2, [3, [4]]], "None", 5]})
    assert t.render("{{ query('community.general.flattened', x) }}") == [1, 2, 3, 4]
    assert t.render("{{ query('flattened', [[1], [[2]]]) }}") == [1, 2]


def test_unvault_decrypts_and_keeps_text_exactly(tmp_path):
    secrets = VaultSecrets.from_password("pw")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "key").write_text(encrypt(b"PRIVATE\n\n", secrets))
    (tmp_path / "plain").write_text("plain\n")
    t = Templar({}, basedir=tmp_path, vault=secrets)
    value = t.render("{{ lookup('unvault', 'key') }}")
    assert value == "PRIVATE\n\n" and is_secret(value)
    assert t.render("{{ lookup('unvault', 'plain') }}") == "plain\n"
    with pytest.raises(TemplateError, match="could not find 'nope'"):
        t.render("{{ lookup('unvault', 'nope') }}")


# ---------------------------------------------------------------- url


def _free_port() -> int:
    """A port nothing listens on: picked by the kernel, then checked by connecting."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        auth = self.headers.get("Authorization")
        if self.path == "/secret":
            want = "Basic " + base64.b64encode(b"u:p").decode()
            if auth != want:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="r"')
                self.end_headers()
                return
        if self.path == "/first-try":  # records whether credentials came unasked
            body = f"auth={auth is not None}\n"
        elif self.path == "/headers":
            body = f"x={self.headers.get('X-Test')}\nua={self.headers.get('User-Agent')}\n"
        elif self.path == "/missing":
            self.send_response(404)
            self.end_headers()
            return
        else:
            body = "line one\nline two\n"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    port = _free_port()
    httpd = http.server.HTTPServer(("127.0.0.1", port), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


def test_url_lookup_lines_and_whole_body(server):
    t = Templar({"base": server})
    assert t.render("{{ query('url', base + '/') }}") == ["line one", "line two"]
    assert t.render("{{ lookup('url', base + '/', split_lines=False) }}") == "line one\nline two\n"
    shown = t.render("{{ query('url', base + '/headers', headers={'X-Test': 'yes'}) }}")
    assert shown == ["x=yes", "ua=ansible-httpget"]


def test_url_lookup_basic_auth(server):
    t = Templar({"base": server})
    got = t.render("{{ lookup('url', base + '/secret', username='u', password='p') }}")
    assert got == "line one,line two"
    forced = "{{ lookup('url', base + '/first-try', username='u', password='p', force_basic_auth=True) }}"
    assert t.render(forced) == "auth=True"
    lazy = "{{ lookup('url', base + '/first-try', username='u', password='p') }}"
    assert t.render(lazy) == "auth=False"  # sent only after a 401 challenge
    with pytest.raises(TemplateError, match="HTTP Error 401"):
        t.render("{{ lookup('url', base + '/secret', username='u', password='bad') }}")


def test_url_lookup_errors(server):
    t = Templar({"base": server})
    with pytest.raises(TemplateError, match="received HTTP error .*404"):
        t.render("{{ lookup('url', base + '/missing') }}")
    port = _free_port()
    with pytest.raises(TemplateError, match="failed lookup url|error connecting"):
        t.render(f"{{{{ lookup('url', 'http://127.0.0.1:{port}/', timeout=2) }}}}")
    with pytest.raises(TemplateError, match="unknown option"):
        t.render("{{ lookup('url', base + '/', bogus=1) }}")
    with pytest.raises(TemplateError, match="u:\\*\\*\\*\\*\\*\\*\\*\\*@"):
        t.render("{{ lookup('url', base.replace('//', '//u:pw@') + '/missing') }}")


# ---------------------------------------------------------------- with_<fqcn> loops

FQCN_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: {msg: "{{ item }}"}
      with_ansible.builtin.items: [[1, 2], 3]
      register: a
    - debug: {msg: "{{ item }}"}
      with_ansible.builtin.sequence: start=4 end=5
      register: b
    - debug: {msg: "{{ item }}"}
      with_ansible.legacy.dict: {k: v}
      register: c
    - debug: {msg: "{{ item }}"}
      with_ansible.builtin.indexed_items: [x, y]
      register: d
    - debug: {msg: "{{ item }}"}
      with_ansible.builtin.varnames: ['^ansible_play_hosts_all$']
      register: e
    - debug:
        msg: "RESULT={{ [a, b, c, d, e] | map(attribute='results')
          | map('map', attribute='item') | map('list') | list | to_json }}"
"""


def _result_line(output: str) -> list:
    line = next(x for x in output.splitlines() if "RESULT=" in x)
    return json.loads(json.loads("{" + line.strip() + "}")["msg"].split("=", 1)[1])


def _edgeauto(cwd: Path, playbook: str = "pb.yml") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local", playbook,
         "--no-retry-file"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=cwd, timeout=300,
    )  # fmt: skip


def test_with_fqcn_loops_match_ansible_playbook(tmp_path):
    binary = Path(sys.executable).parent / "ansible-playbook"
    if not binary.exists():
        pytest.skip("ansible-playbook (oracle) missing")
    (tmp_path / "pb.yml").write_text(FQCN_PLAYBOOK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    theirs = subprocess.run(
        [str(binary), "-i", "localhost,", "-c", "local", "pb.yml"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=tmp_path, env=env,
        timeout=300,
    )  # fmt: skip
    assert theirs.returncode == 0, theirs.stdout[-2000:]
    ours = _edgeauto(tmp_path)
    assert ours.returncode == 0, ours.stdout[-2000:] + ours.stderr[-2000:]
    assert _result_line(ours.stdout) == _result_line(theirs.stdout)


def test_with_community_general_flattened_and_unknown_fqcn(tmp_path):
    (tmp_path / "pb.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: {msg: '{{ item }}'}\n"
        "      with_community.general.flattened: [[1, [2, [3]]], 4]\n"
        "      register: f\n"
        "    - debug: {msg: \"RESULT={{ f.results | map(attribute='item') | list | to_json }}\"}\n"
    )
    ours = _edgeauto(tmp_path)
    assert ours.returncode == 0, ours.stdout[-2000:] + ours.stderr[-2000:]
    assert _result_line(ours.stdout) == [1, 2, 3, 4]
    (tmp_path / "bad.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - debug: {msg: '{{ item }}'}\n"
        "      with_community.general.itemz: [1]\n"
    )
    bad = _edgeauto(tmp_path, "bad.yml")
    assert bad.returncode != 0
    assert "unknown loop lookup 'with_community.general.itemz'" in bad.stdout + bad.stderr


def test_password_values_are_masked_in_output_like_vault_values(tmp_path):
    from edgeauto.templating import revealed

    revealed.forget_all()
    try:
        value = Templar({}, basedir=tmp_path).render("{{ lookup('password', 'p length=12') }}")
        assert revealed.mask_text(f"item={value}") == "item=********"
    finally:
        revealed.forget_all()


@pytest.fixture
def tls_server(tmp_path):
    """HTTPS on 127.0.0.1 with a throw-away self-signed certificate."""
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl missing")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    httpd = http.server.HTTPServer(("127.0.0.1", port), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{port}", cert
    httpd.shutdown()
    httpd.server_close()


def test_url_lookup_validate_certs_and_ca_path(tls_server):
    base, cert = tls_server
    t = Templar({"base": base, "ca": str(cert)})
    with pytest.raises(TemplateError, match="certificate"):
        t.render("{{ lookup('url', base + '/', timeout=5) }}")
    assert t.render("{{ lookup('url', base + '/', validate_certs=False) }}") == "line one,line two"
    assert t.render("{{ lookup('url', base + '/', ca_path=ca) }}") == "line one,line two"
