"""One publish run at a time. A delivery during a run queues one more run, which starts when the
current one ends; further deliveries meanwhile join that queued run (it will publish whatever is
on the remote by then), so the chain never runs twice at once nor more often than needed.
Each step's result goes to `<state>/hook.log` (JSON lines) and to the status."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..publish import Context, Step, StepResult, publish

HISTORY = 20   # runs shown at /_hooks/status
LOG = "hook.log"


@dataclass
class Run:
    number: int
    trigger: str                           # who asked, e.g. "github 72d3162e-…"
    started: str = ""
    finished: str = ""
    steps: list[StepResult] = field(default_factory=list)
    summary: str = ""
    ok: bool | None = None                 # None while running

    def as_json(self) -> dict[str, Any]:
        return {"run": self.number, "trigger": self.trigger, "started": self.started, "finished": self.finished,
                "ok": self.ok, "summary": self.summary,
                "steps": [{k: v for k, v in step.as_json().items() if k != "report"} for step in self.steps]}


class Runner:
    def __init__(self, make_context: Callable[[], Context], steps: tuple[Step, ...], state_dir: Path):
        self.make_context = make_context
        self.steps = steps
        self.log_path = state_dir / LOG
        self.runs: deque[Run] = deque(maxlen=HISTORY)
        self.running: Run | None = None
        self.queued: Run | None = None
        self._count = 0
        self._lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()

    def request(self, trigger: str) -> str:
        """Start a run, or queue one: "started", "queued", or "joined" (a run was queued already)."""
        with self._lock:
            if self.running is None:
                self.running = self._new_run(trigger)
                self.idle.clear()
                threading.Thread(target=self._work, name="syndicate-hook", daemon=True).start()
                return "started"
            if self.queued is None:
                self.queued = self._new_run(trigger)
                return "queued"
            self.queued.trigger += f", {trigger}"
            return "joined"

    def _new_run(self, trigger: str) -> Run:
        self._count += 1
        return Run(self._count, trigger)

    def _work(self) -> None:
        while True:
            with self._lock:
                run = self.running
            assert run is not None
            self._execute(run)
            with self._lock:
                self.running, self.queued = self.queued, None
                if self.running is None:
                    self.idle.set()
                    return

    def _execute(self, run: Run) -> None:
        run.started = _now()
        self.runs.append(run)
        self._log({"run": run.number, "event": "start", "trigger": run.trigger})

        def record(step: StepResult) -> None:
            run.steps.append(step)
            self._log({"run": run.number, "event": "step", **{k: v for k, v in step.as_json().items()
                                                                   if k != "report"}})

        report = publish(self.make_context(), self.steps, on_step=record)
        run.summary, run.ok, run.finished = report.summary, not report.failed and not report.partial, _now()
        self._log({"run": run.number, "event": "end", "ok": run.ok, "summary": run.summary})

    def _log(self, entry: dict[str, Any]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"time": _now(), **entry}, ensure_ascii=False) + "\n")

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"running": self.running.number if self.running else None,
                    "queued": self.queued.number if self.queued else None,
                    "runs": [run.as_json() for run in reversed(self.runs)]}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
