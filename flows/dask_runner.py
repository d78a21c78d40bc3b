"""prefect-dask's task runner, plus one thing at its exit: the workers send the Prefect
events they still hold before the run moves on.

A task's states reach the API only as events (Prefect 3: `set_state` emits a state-change
event, the server's task-run recorder writes it). On a Dask worker they queue in that
process's `EventsWorker` and leave in the background; the task's result reaches the driver
first. When the cluster closes (a nanny kills a worker that does not exit within 4 s) or
the driver's run ends, events still queued were lost, and their tasks stayed RUNNING in the
run's records although the ledger had them. Draining each worker's queue when the flow's
task runner exits makes the records final before the flow run is.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect_dask import DaskTaskRunner

DRAIN_TIMEOUT_S = 30.0
log = logging.getLogger(__name__)


async def drain_prefect_events(timeout: float = DRAIN_TIMEOUT_S) -> None:
    """Run on a worker (`Client.run`, in its event loop): send every queued Prefect event.
    The EventsWorker stops; Prefect starts a new one for the worker's next task."""
    from prefect.events.worker import EventsWorker

    await EventsWorker.drain_all(timeout=timeout, at_exit=False)


class DrainingDaskTaskRunner(DaskTaskRunner):
    """`DaskTaskRunner` whose exit first drains the workers' Prefect events."""

    def __exit__(self, *args: Any) -> None:
        if self._client is not None:
            try:
                self._client.run(drain_prefect_events)
            except Exception as exc:  # a worker gone: its tasks' records are Prefect's to mend
                log.warning("could not flush the Dask workers' Prefect events: %s", exc)
        super().__exit__(*args)
