"""FAKE OpenStack API: recorded responses.

A whole OpenStack cloud cannot run on the test machine, so the OpenStack inventory is tested
end to end (real openstacksdk, real keystoneauth, real HTTP) against this local server. It
serves the recorded bodies in ``tests/fixtures/openstack/`` and reproduces the protocol details
the SDK depends on: Keystone v3 password auth with ``X-Subject-Token`` and a service catalog
whose endpoints point back here, version discovery documents, Nova's ``limit``/``marker``
pagination with ``servers_links``, Nova's microversion-dependent ``flavor`` shape, and 401s for
wrong passwords or missing tokens. It binds 127.0.0.1 on a port chosen by the OS (port 0) and
records every request so tests can count round trips (pagination, cache hits).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "openstack"
REGIONS = ("RegionOne", "RegionTwo")
NOVA_MAX_MICROVERSION = (2, 96)
UNAUTHORIZED = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


class FakeOpenStack:
    """Start with ``with FakeOpenStack() as cloud:``; ``cloud.base`` is its URL."""

    def __init__(self, users: dict[str, str] | None = None, page_size: int = 2):
        self.users = users if users is not None else {"edge-ops": "correct horse"}
        self.page_size = page_size  # Nova's osapi_max_limit: small, to force pagination
        self.nova_max_microversion = NOVA_MAX_MICROVERSION  # lower it to act as an old Nova
        self.delays: dict[str, float] = {}  # path substring -> seconds to sleep first
        self.failures: dict[str, int] = {}  # path substring -> HTTP status to answer with
        self.requests: list[tuple[str, str]] = []
        self.tokens: set[str] = set()
        self.servers = {r: _recorded(f"nova-servers-{r}.json")["servers"] for r in REGIONS}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> FakeOpenStack:
        handler = type("Handler", (_Handler,), {"api": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    @property
    def base(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, method: str, path_part: str) -> int:
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and path_part in p)

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def clouds_yaml(self, path: Path, clouds: dict[str, dict]) -> Path:
        """Write a clouds.yaml for this server; each value overrides auth/region settings."""
        data = {"clouds": {}}
        for name, extra in clouds.items():
            entry = {
                "auth_type": "password",
                "identity_api_version": 3,
                "auth": {
                    "auth_url": f"{self.base}/identity/v3",
                    "username": "edge-ops",
                    "password": "correct horse",
                    "project_name": "edge-sites",
                    "user_domain_name": "Default",
                    "project_domain_name": "Default",
                },
                "interface": "public",
            }
            auth = extra.pop("auth", {})
            entry["auth"].update(auth)
            entry.update(extra)
            data["clouds"][name] = entry
        path.write_text(json.dumps(data, indent=1))
        return path


def _recorded(name: str):
    return json.loads((RECORDED / name).read_text())


class _Handler(BaseHTTPRequestHandler):
    api: FakeOpenStack
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    # ---- plumbing ---------------------------------------------------------------------------
    def _send(self, status: int, body, headers: dict | None = None) -> None:
        text = json.dumps(body).replace("{{BASE}}", self.api.base).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(text)

    def _delay(self, path: str) -> None:
        for part, seconds in self.api.delays.items():
            if part in path:
                time.sleep(seconds)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        path = urlsplit(self.path).path.rstrip("/")
        self.api.record("POST", self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self._delay(path)
        if path != "/identity/v3/auth/tokens":
            return self._send(404, {"error": {"code": 404, "message": "not found"}})
        identity = body.get("auth", {}).get("identity", {})
        user = identity.get("password", {}).get("user", {})
        if self.api.users.get(user.get("name")) != user.get("password"):
            return self._send(401, UNAUTHORIZED)
        token = uuid.uuid4().hex
        self.api.tokens.add(token)
        self._send(201, _recorded("keystone-token.json"), {"X-Subject-Token": token})

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.api.record("GET", self.path)
        self._delay(path)
        for part, status in self.api.failures.items():
            if part in path:
                return self._send(status, {"error": {"code": status, "message": "injected"}})
        if path == "/identity":
            return self._send(300, {"versions": {"values": [_keystone_version()]}})
        if path == "/identity/v3":
            return self._send(200, {"version": _keystone_version()})
        segments = path.split("/")[1:]
        if len(segments) < 2 or segments[0] not in REGIONS:
            return self._send(404, {"error": {"code": 404, "message": f"no route {path}"}})
        region, service, rest = segments[0], segments[1], segments[2:]
        if service == "compute" and rest in ([], ["v2.1"]):
            return self._compute_versions(region, single=bool(rest))
        if service == "image" and not rest:
            return self._send(300, {"versions": [_image_version(region)]})
        if service == "network" and not rest:
            return self._send(200, {"versions": [_network_version(region)]})
        if self.headers.get("X-Auth-Token") not in self.api.tokens:
            return self._send(401, UNAUTHORIZED)
        if service == "compute" and rest[:1] == ["v2.1"]:
            return self._compute(region, rest[1:], query)
        if service == "image" and rest[:2] == ["v2", "images"] and len(rest) == 3:
            return self._image(rest[2])
        if service == "network" and len(rest) == 2 and rest[0] == "v2.0":
            return self._neutron_list(region, rest[1], query)
        self._send(404, {"error": {"code": 404, "message": f"no route {path}"}})

    # ---- services ---------------------------------------------------------------------------
    def _compute_versions(self, region: str, single: bool) -> None:
        v21 = {
            "id": "v2.1",
            "status": "CURRENT",
            "version": "{}.{}".format(*self.api.nova_max_microversion),
            "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{self.api.base}/{region}/compute/v2.1/"}],
        }
        if single:
            return self._send(200, {"version": v21})
        self._send(200, {"versions": [v21]})

    def _microversion(self) -> tuple[int, int]:
        header = self.headers.get("OpenStack-API-Version", "") or ""
        value = header.replace("compute", "").strip() or self.headers.get(
            "X-OpenStack-Nova-API-Version", "2.1"
        )
        major, _, minor = value.partition(".")
        return int(major), int(minor or 0)

    def _compute(self, region: str, rest: list[str], query: dict) -> None:
        if rest == ["servers", "detail"]:
            return self._servers_page(region, query)
        if rest == ["flavors", "detail"]:
            return self._send(200, _recorded("nova-flavors.json"))
        if len(rest) == 2 and rest[0] == "flavors":
            for flavor in _recorded("nova-flavors.json")["flavors"]:
                if flavor["id"] == rest[1]:
                    return self._send(200, {"flavor": flavor})
            return self._send(404, {"itemNotFound": {"code": 404, "message": "Flavor not found"}})
        if rest == ["os-server-groups"]:
            return self._send(200, _recorded(f"nova-server-groups-{region}.json"))
        self._send(404, {"itemNotFound": {"code": 404, "message": "not found"}})

    def _servers_page(self, region: str, query: dict) -> None:
        servers = self.api.servers[region]
        limit = min(int(query.get("limit", self.api.page_size)), self.api.page_size)
        start = 0
        if "marker" in query:
            ids = [s["id"] for s in servers]
            if query["marker"] not in ids:
                return self._send(400, {"badRequest": {"code": 400, "message": "marker not found"}})
            start = ids.index(query["marker"]) + 1
        page = [self._server_view(s) for s in servers[start : start + limit]]
        body: dict = {"servers": page}
        if len(page) == limit and page:
            href = (
                f"{self.api.base}/{region}/compute/v2.1/servers/detail"
                f"?limit={limit}&marker={page[-1]['id']}"
            )
            body["servers_links"] = [{"rel": "next", "href": href}]
        self._send(200, body)

    def _server_view(self, server: dict) -> dict:
        """Nova < 2.47 returns only the flavor id; ≥ 2.47 embeds the flavor (no id)."""
        view = json.loads(json.dumps(server))
        if self._microversion() < (2, 47):
            flavor_id = next(
                f["id"]
                for f in _recorded("nova-flavors.json")["flavors"]
                if f["name"] == server["flavor"]["original_name"]
            )
            view["flavor"] = {"id": flavor_id, "links": []}
        if self._microversion() < (2, 71):
            view.pop("server_groups", None)
        return view

    def _neutron_list(self, region: str, collection: str, query: dict) -> None:
        """Neutron with ``pagination_max_limit`` set: pages of ``page_size`` items, a
        ``<collection>_links`` next link while a page is full, ``marker`` = last id."""
        try:
            items = _recorded(f"neutron-{collection}-{region}.json")[collection]
        except FileNotFoundError:
            return self._send(404, {"NeutronError": {"type": "HTTPNotFound", "message": "no"}})
        limit = min(int(query.get("limit", self.api.page_size)), self.api.page_size)
        start = 0
        if "marker" in query:
            start = [i["id"] for i in items].index(query["marker"]) + 1
        page = items[start : start + limit]
        body: dict = {collection: page}
        if len(page) == limit and page:
            href = (
                f"{self.api.base}/{region}/network/v2.0/{collection}"
                f"?limit={limit}&marker={page[-1]['id']}"
            )
            body[f"{collection}_links"] = [{"rel": "next", "href": href}]
        self._send(200, body)

    def _image(self, image_id: str) -> None:
        for image in _recorded("glance-images.json")["images"]:
            if image["id"] == image_id:
                return self._send(200, image)
        self._send(404, {"code": 404, "title": "Not Found", "message": "No image found"})


def _keystone_version() -> dict:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": "{{BASE}}/identity/v3/"}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
    }


def _image_version(region: str) -> dict:
    return {
        "id": "v2.16",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": f"{{{{BASE}}}}/{region}/image/v2/"}],
    }


def _network_version(region: str) -> dict:
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": f"{{{{BASE}}}}/{region}/network/v2.0/"}],
    }
