"""prefect-dask's task runner, with two things added so that Prefect's records of a run on
Dask end final and true.

Events drained at exit. A task's states reach the API only as events (Prefect 3: `set_state`
emits a state-change event, the server's task-run recorder writes it). On a Dask worker they
queue in that process's `EventsWorker` and leave in the background; the task's result reaches
the driver first. When the cluster closes (a nanny kills a worker that does not exit within
4 s) or the driver's run ends, events still queued were lost, and their tasks stayed RUNNING
in the run's records although the ledger had them. Draining each worker's queue when the
flow's task runner exits makes the records final before the flow run is.

A task Dask gave up on, recorded Crashed. A worker that dies (kill -9, out of memory) while a
task runs on it takes that task's last events with it. Dask runs the task again on another
worker, under the same task run id, and its states end COMPLETED (measured: PENDING, RUNNING,
PENDING, RUNNING, COMPLETED). But after `distributed.scheduler.allowed-failures` deaths (3 by
default; a file that crashes every reader it meets) Dask fails the task with `KilledWorker`
and nobody tells Prefect: the task stayed RUNNING in the run's records for ever (or was never
recorded, when it had not started), and the driver read "Run is in RUNNING state" as the
chunk's error. The driver now records such a task Crashed, with Dask's reason.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import distributed
import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.exceptions import ObjectNotFound
from prefect.states import Crashed
from prefect_dask import DaskTaskRunner
from prefect_dask.task_runners import PrefectDaskFuture

DRAIN_TIMEOUT_S = 30.0
log = logging.getLogger(__name__)


async def drain_prefect_events(timeout: float = DRAIN_TIMEOUT_S) -> None:
    """Run on a worker (`Client.run`, in its event loop): send every queued Prefect event.
    The EventsWorker stops; Prefect starts a new one for the worker's next task."""
    from prefect.events.worker import EventsWorker

    await EventsWorker.drain_all(timeout=timeout, at_exit=False)


class DrainingDaskTaskRunner(DaskTaskRunner):
    """`DaskTaskRunner` whose exit first drains the workers' Prefect events, and whose
    futures record a task Crashed when Dask gives up on it (`CrashAwareFuture`)."""

    def submit(self, task, parameters, wait_for=None, dependencies=None):
        future = super().submit(task, parameters, wait_for, dependencies)
        run = FlowRunContext.get()
        return CrashAwareFuture(
            task_run_id=future.task_run_id,
            wrapped_future=future.wrapped_future,
            task=task,
            parameters=parameters,
            flow_run_id=run.flow_run.id if run and run.flow_run else None,
        )

    def __exit__(self, *args: Any) -> None:
        if self._client is not None:
            try:
                self._client.run(drain_prefect_events)
            except Exception as exc:  # a worker gone: its tasks are recorded by their futures
                log.warning("could not flush the Dask workers' Prefect events: %s", exc)
        super().__exit__(*args)


class CrashAwareFuture(PrefectDaskFuture):
    """A Dask future whose task always returns its Prefect state (prefect-dask submits with
    `return_type="state"`): one that raises instead never finished its task (`KilledWorker`,
    cancelled). Its final state is then Crashed, here and in the run's records."""

    def __init__(
        self,
        task_run_id: UUID,
        wrapped_future: distributed.Future,
        task: Any,
        parameters: dict[str, Any],
        flow_run_id: UUID | None,
    ) -> None:
        super().__init__(task_run_id=task_run_id, wrapped_future=wrapped_future)
        self._task, self._parameters, self._flow_run_id = task, parameters, flow_run_id

    def wait(self, timeout: float | None = None) -> None:
        try:
            result = self._wrapped_future.result(timeout=timeout)
        except Exception as exc:
            if self._final_state is None and self._wrapped_future.done():  # not a timeout
                self._final_state = self._record_crash(exc)
            return
        if isinstance(result, State):
            self._final_state = result

    def result(self, timeout: float | None = None, raise_on_failure: bool = True) -> Any:
        if self._final_state is None:
            self.wait(timeout)
        if self._final_state is None:
            raise TimeoutError(f"Task run {self.task_run_id} did not end within {timeout} s")
        return self._final_state.result(raise_on_failure=raise_on_failure, _sync=True)

    def _record_crash(self, exc: BaseException) -> State:
        """Crashed, with Dask's reason, in the run's records; locally it carries `exc`, so
        the state's result raises it."""
        message = f"Dask did not finish the task: {type(exc).__name__}: {exc}"
        try:
            with get_client(sync_client=True) as client:
                try:
                    client.set_task_run_state(
                        self.task_run_id, Crashed(message=message), force=True
                    )
                except (ObjectNotFound, httpx.HTTPStatusError) as missing:
                    if not not_found(missing):
                        raise
                    # Never started: no worker had created its record.
                    client.create_task_run(
                        self._task,
                        self._flow_run_id,
                        dynamic_key=str(self.task_run_id),
                        id=self.task_run_id,
                        name=task_run_name(self._task, self._parameters),
                    )
                    client.set_task_run_state(
                        self.task_run_id, Crashed(message=message), force=True
                    )
        except Exception as api_error:  # the run goes on; its records are then incomplete
            log.warning("could not record task run %s as crashed: %s", self.task_run_id, api_error)
        return Crashed(message=message, data=exc)


def not_found(error: Exception) -> bool:
    """The API's answer for a task run it does not hold (the sync client raises httpx's)."""
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code == httpx.codes.NOT_FOUND
    return True


def task_run_name(task: Any, parameters: dict[str, Any]) -> str:
    """The name the task engine would give the run (its `task_run_name` template filled in,
    or its callable called with the parameters)."""
    custom = getattr(task, "task_run_name", None)
    try:
        if callable(custom):  # our tasks' callables take the parameters (`chunk_run_name`)
            return custom(parameters=parameters)
        if isinstance(custom, str):
            return custom.format(**parameters)
    except (KeyError, IndexError, AttributeError, TypeError):
        pass
    return task.name
