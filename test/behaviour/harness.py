"""Runs one behaviour-suite app and reports its responses and the blocking calls made on the event loop.

Usage: python3 harness.py APP_DIR WORK_DIR  ->  one JSON object on stdout:
  {"responses": [...], "blocking": [{"kind": "time.sleep", "frames": [["main.py", 12], ...]}, ...]}

The app directory holds main.py (a FastAPI `app`) and spec.json ({"requests": [...], "files": {...}}).
Before the app is imported, blocking primitives are wrapped (the way blockbuster works): each records a
call made while the current thread is running an event loop. The app talks to a local echo server
(env UPSTREAM) and keeps its SQLite database and files in WORK_DIR (env APP_DB; the working directory).
"""
import asyncio
import builtins
import hashlib
import importlib.util
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = []
_guard = threading.local()


def _on_loop():
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


def _app_frames(app_dir):
    frames = []
    for fs in traceback.extract_stack()[:-2]:
        if os.path.abspath(fs.filename).startswith(app_dir + os.sep):
            frames.append([os.path.relpath(fs.filename, app_dir), fs.lineno])
    return frames


def _record(kind):
    if getattr(_guard, "busy", False) or not _on_loop() or not RECORDING[0]:
        return
    _guard.busy = True
    try:
        frames = _app_frames(APP_DIR[0])
        # Only calls made from the app's own code: the framework's internals are not under test.
        if frames:
            EVENTS.append({"kind": kind, "frames": frames})
    finally:
        _guard.busy = False


def _wrap(owner, name, kind, check=None):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if check is None or check(*args, **kwargs):
            _record(kind)
        return original(*args, **kwargs)

    wrapper.__wrapped__ = original
    setattr(owner, name, wrapper)


def _blocking_socket(sock, *args, **kwargs):
    try:
        return sock.gettimeout() != 0.0
    except OSError:
        return True


def install():
    _wrap(time, "sleep", "time.sleep")
    _wrap(builtins, "open", "open")
    _wrap(os, "scandir", "os.scandir")
    _wrap(os, "listdir", "os.listdir")
    _wrap(hashlib, "pbkdf2_hmac", "hashlib.pbkdf2_hmac")
    for m in ("connect", "recv", "recv_into", "recvfrom", "send", "sendall", "sendto", "accept"):
        _wrap(socket.socket, m, f"socket.{m}", _blocking_socket)
    _wrap(subprocess.Popen, "wait", "subprocess.wait")
    _wrap(subprocess.Popen, "communicate", "subprocess.communicate")

    class CheckedCursor(sqlite3.Cursor):
        def execute(self, *a, **k):
            _record("sqlite3.execute")
            return super().execute(*a, **k)

        def executemany(self, *a, **k):
            _record("sqlite3.execute")
            return super().executemany(*a, **k)

        def fetchone(self):
            _record("sqlite3.fetch")
            return super().fetchone()

        def fetchall(self):
            _record("sqlite3.fetch")
            return super().fetchall()

    class CheckedConnection(sqlite3.Connection):
        def cursor(self, factory=CheckedCursor):
            return super().cursor(factory)

        def execute(self, *a, **k):
            _record("sqlite3.execute")
            return self.cursor().execute(*a, **k)

        def commit(self):
            _record("sqlite3.commit")
            return super().commit()

    connect = sqlite3.connect

    def checked_connect(*a, **k):
        _record("sqlite3.connect")
        k.setdefault("factory", CheckedConnection)
        return connect(*a, **k)

    sqlite3.connect = checked_connect
    # SQLAlchemy's pysqlite dialect connects through sqlite3.dbapi2.
    sqlite3.dbapi2.connect = checked_connect


class Echo(BaseHTTPRequestHandler):
    """Echoes the request (method, path, query, form or JSON body); /redirect answers 302 to /echo."""

    def log_message(self, *a):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/echo?from=redirect")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/cookie"):
            payload = b'{"cookie": "set"}'
            self.send_response(200)
            self.send_header("Set-Cookie", "sid=abc; Path=/")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        payload = json.dumps({
            "method": self.command,
            "path": self.path,
            "body": body.decode("latin-1"),
            "type": self.headers.get("Content-Type"),
            "cookie": self.headers.get("Cookie"),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer


APP_DIR = [""]
RECORDING = [False]


def main():
    app_dir = os.path.abspath(sys.argv[1])
    work = os.path.abspath(sys.argv[2])
    APP_DIR[0] = app_dir
    spec = json.load(open(os.path.join(app_dir, "spec.json")))
    os.makedirs(work, exist_ok=True)
    for name, content in spec.get("files", {}).items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
    os.chdir(work)
    # The same port before and after the fix, so URLs in responses compare equal.
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("ECHO_PORT", "0"))), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["UPSTREAM"] = f"http://127.0.0.1:{server.server_port}"
    os.environ["APP_DB"] = os.path.join(work, "app.db")
    install()
    sys.path.insert(0, app_dir)
    spec_obj = importlib.util.spec_from_file_location("main", os.path.join(app_dir, "main.py"))
    module = importlib.util.module_from_spec(spec_obj)
    sys.modules["main"] = module
    spec_obj.loader.exec_module(module)
    from fastapi.testclient import TestClient

    responses = []
    with TestClient(module.app, raise_server_exceptions=False) as client:
        RECORDING[0] = True
        for r in spec["requests"]:
            resp = client.request(r.get("method", "GET"), r["url"], params=r.get("params"), json=r.get("json"))
            try:
                body = resp.json()
            except ValueError:
                body = resp.text
            responses.append({"request": f'{r.get("method", "GET")} {r["url"]}', "status": resp.status_code, "body": body})
        RECORDING[0] = False
    server.shutdown()
    print(json.dumps({"responses": responses, "blocking": EVENTS}))


if __name__ == "__main__":
    main()
