"""A real HTTP server on 127.0.0.1 that answers like GlobalGiving's project API.

Each test sets what the next answers are: a recorded response, an error status, a body that is
not JSON, or an answer slower than the client's timeout. Every request is recorded so tests can
check what was asked (path, api_key, Accept header).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "data" / "globalgiving_project.json"


def recorded_body() -> bytes:
    for candidate in (RECORDED, Path("/work/shared/data/globalgiving_project.json")):
        if candidate.exists():
            return candidate.read_bytes()
    # The recorded answer's shape, for a clone without shared/ beside it.
    return json.dumps(
        {
            "project": {
                "id": 98765,
                "status": "active",
                "title": "Demo",
                "goal": 50000.00,
                "funding": "18342.50",
                "remaining": 31657.50,
                "numberOfDonations": "212",
            }
        }
    ).encode()


class Answer:
    def __init__(self, status=200, body=b"", delay=0.0, content_type="application/json"):
        self.status, self.body, self.delay, self.content_type = status, body, delay, content_type


class Peer:
    def __init__(self):
        self.answers: list[Answer] = []  # consumed in order; the last one repeats
        self.requests: list[dict] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parsed = urllib.parse.urlsplit(self.path)
                peer.requests.append(
                    {
                        "path": parsed.path,
                        "query": dict(urllib.parse.parse_qsl(parsed.query)),
                        "accept": self.headers.get("Accept"),
                    }
                )
                answer = peer.answers.pop(0) if len(peer.answers) > 1 else peer.answers[0]
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the slow case

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers: Answer) -> None:
        self.answers = list(answers)

    def start(self) -> Peer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
