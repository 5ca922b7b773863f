"""A case's SLA clock: due times in business hours, paused while the customer is waited for.

The clock starts when the case is opened. The first response is due ``first_response`` of
working time later, the resolution ``resolution`` later; working time spent in a status
that waits for the customer is added back to both (:meth:`SlaClock.pause` /
:meth:`SlaClock.resume`), so waiting for the customer never counts against the second line.
A finished case's clock stops; reopening restarts the resolution clock from the reopening
(the first response, once given, stays given).

Breach and near-breach are never stored: :func:`sla_state` works them out at the moment of
asking from the stored due times, so a board read tomorrow is right tomorrow.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.cases.calendar import BusinessCalendar
from domain.cases.definitions import SlaDef


class SlaState(enum.StrEnum):
    OK = "ok"
    NEAR = "near"  # due within the type's warning time
    BREACHED = "breached"
    PAUSED = "paused"  # waiting for the customer
    STOPPED = "stopped"  # the case is finished

    @property
    def label(self) -> str:
        return {
            SlaState.OK: "on time",
            SlaState.NEAR: "due soon",
            SlaState.BREACHED: "breached",
            SlaState.PAUSED: "paused (waiting for the customer)",
            SlaState.STOPPED: "finished",
        }[self]


@dataclass(frozen=True)
class SlaDue:
    """Due times as stored with the case (None where there is nothing to be due)."""

    response_due: datetime
    resolution_due: datetime
    due: datetime | None  # the deadline that matters now: first response, else resolution
    warn_at: datetime | None  # from then on the case is "near breach"


@dataclass(frozen=True)
class SlaClock:
    started_at: datetime
    first_response: timedelta
    resolution: timedelta
    warn_before: timedelta = timedelta(hours=2)
    responded_at: datetime | None = None
    paused_since: datetime | None = None
    paused: timedelta = timedelta(0)  # working time spent waiting for the customer
    stopped_at: datetime | None = None

    @classmethod
    def start(cls, sla: SlaDef, at: datetime) -> SlaClock:
        return cls(at, sla.first_response, sla.resolution, sla.warn_before)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def pause(self, at: datetime) -> SlaClock:
        if self.is_paused or self.stopped_at is not None:
            return self
        return replace(self, paused_since=at)

    def resume(self, at: datetime, calendar: BusinessCalendar) -> SlaClock:
        if self.paused_since is None:
            return self
        waited = calendar.between(self.paused_since, at)
        return replace(self, paused_since=None, paused=self.paused + waited)

    def respond(self, at: datetime) -> SlaClock:
        return self if self.responded_at is not None else replace(self, responded_at=at)

    def stop(self, at: datetime, calendar: BusinessCalendar) -> SlaClock:
        return replace(self.resume(at, calendar), stopped_at=at)

    def restart(self, at: datetime) -> SlaClock:
        """Reopened: a new resolution period from ``at``; the first response stays given."""
        return replace(
            self,
            started_at=at,
            responded_at=self.responded_at or at,
            paused_since=None,
            paused=timedelta(0),
            stopped_at=None,
        )

    def due(self, calendar: BusinessCalendar) -> SlaDue:
        response = calendar.add(self.started_at, self.first_response + self.paused)
        resolution = calendar.add(self.started_at, self.resolution + self.paused)
        if self.stopped_at is not None or self.is_paused:
            return SlaDue(response, resolution, None, None)
        current = resolution if self.responded_at is not None else response
        return SlaDue(response, resolution, current, current - self.warn_before)


def sla_state(
    now: datetime, *, due: datetime | None, warn_at: datetime | None, paused: bool, stopped: bool
) -> SlaState:
    """The SLA state at ``now`` from stored due times (query time, never stored)."""
    if stopped:
        return SlaState.STOPPED
    if paused or due is None:
        return SlaState.PAUSED
    if now >= due:
        return SlaState.BREACHED
    if warn_at is not None and now >= warn_at:
        return SlaState.NEAR
    return SlaState.OK
