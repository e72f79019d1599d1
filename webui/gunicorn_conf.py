"""gunicorn's settings for the site: ``gunicorn -c python:webui.gunicorn_conf``.

Threaded workers that slow clients cannot hold (webui/ops/serving.py), the app loaded once
before the workers fork (the word segmenter and the live index's tables are shared), and the
metrics of every worker counted together (prometheus_client's multiprocess mode). Command-line
options override these; BIND, PORT, WEB_CONCURRENCY (workers), WEB_THREADS (threads per worker)
and REQUEST_HEADER_TIMEOUT (seconds) come from the environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# prometheus_client reads this when it is imported, which the app does: this module is loaded
# first, in the master, so every worker forked from it writes its counts into one folder
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_own_metrics_dir = not _metrics_dir
if _own_metrics_dir:
    _metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="news-metrics-")
else:
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)
    for stale in Path(_metrics_dir).glob("*.db"):  # counts of an earlier run of the server
        stale.unlink()

wsgi_app = "webui:create_app()"
preload_app = True
bind = [os.environ.get("BIND") or
        (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "webui.ops.serving.Worker"
# searches hold the GIL: more threads do not search faster, they let a quick request through
# beside a long one; slow clients take none (serving.py)
threads = int(os.environ.get("WEB_THREADS", "8"))
keepalive = 5  # seconds a client may stay silent, between requests or within a request's head
timeout = 60  # a worker whose main loop stops for this long is restarted


def child_exit(server, worker):
    """A worker is gone: its gauges no longer count (its counters still do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
