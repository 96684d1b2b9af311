"""Background work that outlives a script run: at most one thread per job name in this process.

Progress is not kept here: a job writes it to the database, where any page run (and any replica)
can read it. What lives here is only whether this process is running a job, and how it failed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from store.db import make_session_factory
from store.rubric_editing import rescore_then_activate
from store.users import AuthUser
from ui import data

log = logging.getLogger(__name__)


@dataclass
class Job:
    thread: threading.Thread = field(init=False)
    error: str | None = None


@st.cache_resource
def _registry() -> tuple[threading.Lock, dict[str, Job]]:
    return threading.Lock(), {}


def start(name: str, work: Callable[[], None]) -> bool:
    """Run `work` in a daemon thread unless a job of this name is running here; return whether it started."""
    lock, jobs = _registry()
    with lock:
        if running(name):
            return False
        job = Job()
        job.thread = threading.Thread(target=_run, args=(job, work), name=f"rapport-{name}", daemon=True)
        jobs[name] = job
        job.thread.start()
    return True


def _run(job: Job, work: Callable[[], None]) -> None:
    try:
        work()
    except Exception as exc:  # a thread's exception would vanish; keep it for the page to show
        log.exception("background job %s failed", job.thread.name)
        job.error = f"{type(exc).__name__}: {exc}"


def running(name: str) -> bool:
    job = _registry()[1].get(name)
    return job is not None and job.thread.is_alive()


def failure(name: str) -> str | None:
    """Return why the last job of this name failed in this process, or None."""
    job = _registry()[1].get(name)
    return None if job is None or job.thread.is_alive() else job.error


def rescore_job_name(version_id: int) -> str:
    return f"rescore-{version_id}"


def rescore_in_background(version_id: int, by: AuthUser) -> bool:
    """Rescore under a saved rubric version and activate it, in a background thread; return whether it started."""
    engine = data.engine()  # taken here: the thread has no script context to reach cached resources

    def work() -> None:
        # Activation is audited, so every replica's next page run drops results cached under the old version.
        rescore_then_activate(make_session_factory(engine), version_id=version_id, by=by)

    return start(rescore_job_name(version_id), work)
