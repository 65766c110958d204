"""A small HTTP server on 127.0.0.1 for the xfer group's get_url/uri tests (shell and lab).

The kernel picks a free port (bind to port 0), so nothing else on the machine is disturbed;
the server runs in a daemon thread and is shut down by the fixture that started it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILES = {
    "app.bin": b"application payload\n" * 50,
    "notes.txt": b"line one\nline two\n",
}


def sums_file() -> bytes:
    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in FILES.items()]
    return ("\n".join(lines) + "\n").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype="text/plain", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        if path.startswith("/files/") and path[7:] in FILES:
            return self._send(200, FILES[path[7:]], "application/octet-stream")
        if path == "/SHA256SUMS":
            return self._send(200, sums_file())
        if path == "/redirect":
            return self._send(302, b"", extra={"Location": "/files/notes.txt"})
        if path == "/cd":
            disposition = {"Content-Disposition": 'attachment; filename="named.txt"'}
            return self._send(200, b"named\n", extra=disposition)
        if path == "/auth":
            want = "Basic " + base64.b64encode(b"user:s3cret").decode()
            if self.headers.get("Authorization") != want:
                return self._send(401, b"no", extra={"WWW-Authenticate": 'Basic realm="t"'})
            return self._send(200, b"welcome\n")
        if path.startswith("/status/"):
            return self._send(int(path[8:]), b"status body\n")
        if path == "/api":
            answer = {
                "method": self.command,
                "body": body.decode(),
                "ctype": self.headers.get("Content-Type"),
                "x_test": self.headers.get("X-Test"),
            }
            return self._send(
                200, json.dumps(answer).encode(), "application/json", {"X-Reply": "yes"}
            )
        return self._send(404, b"not found\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _route


class Server:
    """``with Server() as base:`` → ``http://127.0.0.1:PORT``."""

    def __enter__(self) -> str:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
