"""The web page's calendar: a month of what went out and what is planned."""

from __future__ import annotations

import calendar as monthcal
from datetime import date, timedelta

from infobot.domain.calendar import DayOff
from infobot.domain.schedule import DayState
from infobot.service.read.models import CalendarDay, MonthView
from infobot.service.read.plan import PlanDay, Planner
from infobot.store.queries import campaigns, slots, stories
from infobot.store.reader import ReadSource
from infobot.store.rows import SlotRow

#: Months ahead of today the calendar plans (each planned day reads at most one story).
PLAN_MONTHS_AHEAD = 24


class CalendarReads:
    def __init__(self, source: ReadSource, planner: Planner) -> None:
        self.source = source
        self.planner = planner

    def month(self, year: int, month: int) -> MonthView:
        """Which story posts on which day of a month, with pins, pauses, blackouts and the
        day the queue runs dry. Past days show what happened; coming days what is planned."""
        cid = self.planner.campaign_id
        first = date(year, month, 1)
        last = date(year, month, monthcal.monthrange(year, month)[1])
        grid_start = first - timedelta(days=first.weekday())
        grid_end = last + timedelta(days=6 - last.weekday())
        with self.source() as r:
            state = self.planner.state(r)
            today = state.schedule.local_date(self.planner.clock.now())
            view = MonthView(year, month, today, paused=state.campaign.paused)
            blackouts = campaigns.blackout_reasons(r, cid, grid_start, grid_end)
            before_today = min(today - timedelta(days=1), grid_end)
            recorded = slots.between(r, cid, grid_start, before_today)
            # Before the first day infobot ever recorded, an empty day is not a gap.
            first_record = slots.first_recorded(r, cid)
            titles = stories.titles(r, [s.story_id for s in recorded.values() if s.story_id])
            plan: dict[date, PlanDay] = {}
            horizon = today + timedelta(days=PLAN_MONTHS_AHEAD * 31)
            plan_end = min(grid_end, horizon)
            if plan_end >= today:
                days = (plan_end - today).days + 1
                plan = {e.day: e for e in self.planner.plan(r, days, state)}
                view.planned_to = plan_end
            view.runs_dry_on = self.planner.runway(r, state)[0].runs_dry_on
        week: list[CalendarDay] = []
        day = grid_start
        while day <= grid_end:
            cell = CalendarDay(day, day.month == month, today=day == today)
            cell.blackout = blackouts.get(day)
            off: DayOff | None = None
            if day in plan:
                entry = plan[day]
                cell.state, cell.reason, off = entry.state, entry.reason, entry.off
                if entry.story is not None:
                    cell.story_id, cell.title = entry.story.id, entry.story.title
                    cell.pinned = entry.story.pin_date == day
            elif day in recorded:
                _recorded_day(cell, recorded[day], titles)
            elif day < today:
                cell.state = DayState.PAST
                off = state.calendar.day_off(day)
                was_recorded = first_record is not None and day >= first_record
                if off is not None:
                    cell.reason = state.calendar.describe(off)
                else:
                    cell.reason = "no post recorded" if was_recorded else ""
            else:
                cell.state, cell.reason = DayState.UNPLANNED, "too far ahead to plan"
            cell.paused = off is DayOff.PAUSED
            cell.runs_dry = view.runs_dry_on == day
            week.append(cell)
            if len(week) == 7:
                view.weeks.append(week)
                week = []
            day += timedelta(days=1)
        return view


def _recorded_day(cell: CalendarDay, slot: SlotRow, titles: dict[int, str]) -> None:
    cell.state, cell.reason = DayState.DONE, slot.status
    if slot.story_id is not None:
        cell.story_id, cell.title = slot.story_id, titles.get(slot.story_id, "")
    else:
        cell.reason = f"{slot.status}: {slot.reason}" if slot.reason else slot.status
