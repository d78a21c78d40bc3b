"""Same-day feedback: ingest inbox files shortly after they land (the nightly run stays the
source of truth; this only runs the same ingest earlier).

watchdog's native observer (inotify on Linux) sees local changes instantly but nothing on
network shares (SMB/NFS), where changes happen on another machine: there the polling
observer re-lists the folder every `poll_seconds`. Events are debounced: a batch is ingested
once no new event came for `debounce_seconds`, so a file still being copied is not read
half-way (and `list_inbox` leaves still-growing files for the next batch anyway).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from flows.config import Settings

log = logging.getLogger(__name__)

TICK_SECONDS = 0.2  # how often the debounce loop looks at pending events


class _Collect(FileSystemEventHandler):
    """Remember which files changed and when the last event came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: set[Path] = set()
        self.last_event = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("deleted", "opened", "closed_no_write"):
            return
        path = getattr(event, "dest_path", "") or event.src_path
        with self.lock:
            self.pending.add(Path(str(path)))
            self.last_event = time.monotonic()

    def take_if_quiet(self, debounce: float) -> list[Path]:
        with self.lock:
            if not self.pending or time.monotonic() - self.last_event < debounce:
                return []
            batch, self.pending = sorted(self.pending), set()
            return batch


class InboxWatcher:
    """Calls `on_batch(paths)` after files in `inbox` were created, modified or moved in."""

    def __init__(
        self,
        inbox: Path,
        on_batch: Callable[[list[Path]], object],
        *,
        polling: bool = False,
        poll_seconds: float = 2.0,
        debounce_seconds: float = 3.0,
    ) -> None:
        self.inbox = Path(inbox)
        self.on_batch = on_batch
        self.debounce_seconds = debounce_seconds
        self.handler = _Collect()
        self.observer = PollingObserver(timeout=poll_seconds) if polling else Observer()
        self.observer.schedule(self.handler, str(self.inbox), recursive=False)
        self.stopped = threading.Event()

    def run(self) -> None:
        """Watch until `stop()` (or Ctrl-C); a failing batch is logged, never fatal."""
        self.observer.start()
        try:
            while not self.stopped.wait(TICK_SECONDS):
                batch = self.handler.take_if_quiet(self.debounce_seconds)
                if batch:
                    self._handle(batch)
        finally:
            self.observer.stop()
            self.observer.join()

    def _handle(self, batch: list[Path]) -> None:
        try:
            self.on_batch(batch)
        except Exception:  # one bad batch must not end the watch: the next one tries again
            log.exception("ingesting %d changed file(s) failed", len(batch))

    def stop(self) -> None:
        self.stopped.set()


def watch_inbox(
    settings: Settings,
    on_result: Callable[[object], None] | None = None,
    watcher_ready: Callable[[InboxWatcher], None] | None = None,
) -> None:
    """Ingest what is already waiting, then every batch of new files, until interrupted."""
    from flows.nightly import ingest_now
    from flows.prefect_env import embedded_run

    def ingest(_batch: list[Path] | None = None) -> None:
        with embedded_run(dask_address=settings.dask_address):
            result = ingest_now(settings)
        if on_result is not None:
            on_result(result)

    watcher = InboxWatcher(
        settings.inbox,
        ingest,
        polling=settings.watch.polling,
        poll_seconds=settings.watch.poll_seconds,
        debounce_seconds=settings.watch.debounce_seconds,
    )
    ingest()
    if watcher_ready is not None:
        watcher_ready(watcher)
    try:
        watcher.run()
    except KeyboardInterrupt:
        watcher.stop()
