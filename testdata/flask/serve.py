"""Serve app.py on a free loopback port for a bounded time.

Prints exactly one line to stdout, ``listening on http://127.0.0.1:<port>``,
once the socket is listening, and then serves. The server stops by itself at
the first of:

- ``--max-seconds`` have passed since start (default 120);
- ``--max-requests`` requests have been answered (default 5000); any request
  beyond that, while shutting down, gets a 503;
- its stdin reaches end of file, which happens when the parent process that
  started it closes the pipe or dies. Run it by hand with stdin held open,
  for example ``sleep 600 | python serve.py``.

Access logs are off so that a long scan does not flood the parent's stderr;
errors and the reason for stopping still go to stderr.
"""

import argparse
import itertools
import math
import os
import sys
import threading

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wsgi import ClosingIterator

# Importing app.py must not leave a __pycache__ folder in the source tree.
sys.dont_write_bytecode = True

from app import app  # noqa: E402

# After the stop decision, how long the server may take to wind down before
# the process exits regardless.
GRACE_SECONDS = 5.0


class QuietHandler(WSGIRequestHandler):
    """A request handler without per-request access log lines."""

    def log_request(self, code="-", size="-"):
        pass


class Stop:
    """The decision to stop, taken once, with the reason that came first."""

    def __init__(self):
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.reason = None

    def request(self, reason):
        with self.lock:
            if self.reason is None:
                self.reason = reason
        self.event.set()


class RequestBudget:
    """WSGI middleware that counts requests and asks to stop at the limit."""

    def __init__(self, wsgi_app, max_requests, stop):
        self.wsgi_app = wsgi_app
        self.max_requests = max_requests
        self.stop = stop
        # next() on itertools.count is atomic under the GIL.
        self.counter = itertools.count(1)

    def __call__(self, environ, start_response):
        number = next(self.counter)
        if number > self.max_requests:
            self.exhausted()
            start_response(
                "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Connection", "close")],
            )
            return [b'{"error":"request budget exhausted"}\n']
        result = self.wsgi_app(environ, start_response)
        if number == self.max_requests:
            # Stop only once the last response has been written: the server
            # calls close() on the body iterable after sending it.
            return ClosingIterator(result, [self.exhausted])
        return result

    def exhausted(self):
        self.stop.request(f"maximum of {self.max_requests} requests reached")


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text}")
    return value


def positive_float(text):
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, found {text}")
    return value


def watch_stdin(stop):
    """Request a stop when stdin reaches end of file or cannot be read."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    stop.request("stdin closed")


def watchdog(server, stop, max_seconds):
    """Shut the server down at the first stop reason, then make sure we exit."""
    if not stop.event.wait(timeout=max_seconds):
        stop.request(f"maximum lifetime of {max_seconds:g} s reached")
    # shutdown() blocks until serve_forever() returns, so run it aside and
    # force the exit if that takes longer than the grace period.
    threading.Thread(target=server.shutdown, daemon=True).start()

    # When the parent died, stderr is a pipe without a reader and writing to
    # it raises; the report is best effort and must not keep us alive.
    try:
        print(f"serve.py: stopping: {stop.reason}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass

    threading.Event().wait(GRACE_SECONDS)
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=positive_float, default=120.0)
    parser.add_argument("--max-requests", type=positive_int, default=5000)
    args = parser.parse_args()

    stop = Stop()
    wsgi_app = RequestBudget(app, args.max_requests, stop)
    server = make_server(
        "127.0.0.1", 0, wsgi_app, threaded=True, request_handler=QuietHandler
    )

    threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    threading.Thread(
        target=watchdog, args=(server, stop, args.max_seconds), daemon=True
    ).start()

    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
