"""The gunicorn worker of the site: threads, and a deadline for each request's head.

gunicorn's sync workers serve one connection at a time, and its threaded (gthread) workers give
a connection a thread as soon as one byte of it arrives, the thread then reading the request
line and headers as slowly as the client sends them: a few clients sending their headers a byte
at a time hold every worker, and the site stops answering. This worker reads a request's head
without a thread: what has arrived is read at once, and while the head is incomplete the
connection goes back to the worker's poller, costing a socket and no thread. A thread takes the
request only when its head is whole, so threads only ever run the app. A head not complete
within REQUEST_HEADER_TIMEOUT seconds (default 10) of its first wait, or a client silent for
longer than gunicorn's keep-alive time, has its connection closed.

Used by webui/gunicorn_conf.py (``worker_class``); plain TCP only (a TLS connection is read by
gthread's own code: terminate TLS in front of gunicorn).
"""

from __future__ import annotations

import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from gunicorn.workers import gthread

HEADER_TIMEOUT = float(os.environ.get("REQUEST_HEADER_TIMEOUT", "10"))
# a head this long without its end is handed to the parser, which refuses it at once: it is
# longer than gunicorn lets a head be (a request line of 4094 bytes and 100 header fields of
# 8190 by default), so the parser never waits for more on a thread
MAX_HEAD = 1024 * 1024
_HEAD_END = b"\r\n\r\n"


class Worker(gthread.ThreadWorker):
    """gthread, with each request's head read in full before a thread takes it."""

    def init_process(self):
        # gthread closes a finished connection on its main loop, lingering up to 2 s for the
        # client to close its side (RFC 9112 9.6): a client that never does would stall every
        # other connection of the worker meanwhile, so those closes run on threads of their own
        self.closer = ThreadPoolExecutor(max_workers=4, thread_name_prefix="close")
        super().init_process()

    def finish_request(self, conn, fs):
        if not fs.cancelled() and fs.exception() is None and fs.result() is False:
            self.nr_conns -= 1
            self.closer.submit(conn.close, True)
            return
        super().finish_request(conn, fs)

    def handle(self, conn):
        if self.cfg.is_ssl:
            return super().handle(conn)
        head = _read_head(conn)
        if head is _WAIT:
            return gthread._DEFER  # back to the poller until more arrives
        if head is None:
            conn.close()  # closed by the client, or too slow: nothing to linger for
            return False
        conn.data_ready = True  # the head is here: no need to wait for data
        conn.sock.setblocking(True)
        conn.init()  # the parser, on a new connection
        conn.parser.unreader.unread(head)
        return super().handle(conn)


_WAIT = object()


def _read_head(conn) -> bytes | None | object:
    """What has arrived of the connection's next request: its head and anything after it once
    the head is whole, _WAIT while it is not, None when the connection is to be closed."""
    if getattr(conn, "head", None) is None:
        conn.head = bytearray()
        conn.head_deadline = time.monotonic() + HEADER_TIMEOUT
        if conn.parser is not None:  # a kept-alive connection may hold read-ahead bytes
            conn.head += conn.parser.unreader.take_buffered()
    closed = False
    while _HEAD_END not in conn.head and len(conn.head) < MAX_HEAD:
        try:
            chunk = conn.sock.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
        except OSError:
            chunk = b""
        if not chunk:
            closed = True
            break
        conn.head += chunk
    if _HEAD_END in conn.head or len(conn.head) >= MAX_HEAD:
        head, conn.head = bytes(conn.head), None
        return head
    if closed or time.monotonic() > conn.head_deadline:
        conn.head = None
        return None
    return _WAIT
