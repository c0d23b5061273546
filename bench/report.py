"""The result table: each figure with its baseline from the same run, ratio, goal, verdict.

A figure is printed as it is measured, under its section's heading; at the end the
runner prints every figure that has a goal again, in one summary table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

WIDTH = 118


@dataclass(frozen=True)
class Unit:
    symbol: str
    decimals: int

    def fmt(self, value: float | None) -> str:
        return "none" if value is None else f"{value:.{self.decimals}f} {self.symbol}"


SECONDS = Unit("s", 3)
MS = Unit("ms", 0)
MIB = Unit("MiB", 1)
KIB = Unit("KiB", 0)
TIMES_UNIT = Unit("x", 1)


class Kind(Enum):
    AT_MOST = "at most"  # value <= limit
    ABOVE = "above the baseline"  # value - baseline <= limit
    TIMES = "times the baseline"  # value / baseline <= limit


@dataclass(frozen=True)
class Goal:
    kind: Kind
    limit: float

    def holds(self, value: float | None, baseline: float | None) -> bool:
        if value is None:
            return False
        if self.kind is Kind.AT_MOST:
            return value <= self.limit
        if baseline is None:
            return False
        if self.kind is Kind.ABOVE:
            return value - baseline <= self.limit
        return baseline > 0 and value / baseline <= self.limit

    def text(self, unit: Unit) -> str:
        if self.kind is Kind.AT_MOST:
            return f"<= {self._limit(unit)}"
        if self.kind is Kind.ABOVE:
            return f"<= base + {self._limit(unit)}"
        return f"<= {self.limit:g}x base"

    def _limit(self, unit: Unit) -> str:
        return f"{self.limit:g} {unit.symbol}"


def at_most(limit: float) -> Goal:
    return Goal(Kind.AT_MOST, limit)


def above(limit: float) -> Goal:
    return Goal(Kind.ABOVE, limit)


def times(limit: float) -> Goal:
    return Goal(Kind.TIMES, limit)


@dataclass(frozen=True)
class Row:
    section: str
    name: str
    measured: str
    baseline: str
    base_label: str
    ratio: str
    goal: str
    ok: bool | None  # None: for information only
    note: str
    tag: str  # the row of issue 13's table ("13a" ...), or ""


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "MISS")


class Report:
    """Collects the rows and prints them as they come."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.section_title = ""

    def section(self, title: str) -> None:
        self.section_title = title
        print()
        print(title)
        print("-" * WIDTH)
        print(
            f"  {'figure':<40} {'measured':>16} {'baseline':>12} {'ratio':>7}  {'goal':<18}"
            f" {'':<4}  notes"
        )

    def _add(self, row: Row) -> None:
        self.rows.append(row)
        line = (
            f"  {row.name:<40} {row.measured:>16} {row.baseline:>12} {row.ratio:>7}  "
            f"{row.goal:<18} {verdict(row.ok):<4}  {row.note}"
        )
        print(line.rstrip(), flush=True)

    def measure(
        self,
        name: str,
        value: float | None,
        unit: Unit,
        *,
        baseline: float | None = None,
        base_label: str = "",
        goal: Goal | None = None,
        note: str = "",
        tag: str = "",
        ok: bool | None = None,
    ) -> bool | None:
        """A number, with its baseline and goal when it has them. ``ok=False`` forces a
        MISS (the command failed, say) whatever the number. Returns the verdict."""
        measured = unit.fmt(value)
        ratio = ""
        if value is not None and baseline is not None:
            if baseline > 0:
                ratio = f"{value / baseline:.1f}x"
            if goal is not None and goal.kind is Kind.ABOVE:
                measured = f"{measured} ({value - baseline:+.{unit.decimals}f})"
        verdict_ok = None if goal is None else goal.holds(value, baseline)
        if verdict_ok is not None and ok is False:
            verdict_ok = False
        self._add(
            Row(
                self.section_title,
                name,
                measured,
                "" if baseline is None else unit.fmt(baseline),
                base_label,
                ratio,
                "" if goal is None else goal.text(unit),
                verdict_ok,
                note,
                tag,
            )
        )
        return verdict_ok

    def check(
        self, name: str, measured: str, goal: str, ok: bool, *, note: str = "", tag: str = ""
    ) -> None:
        """A yes/no goal (nothing imported, nothing left behind ...)."""
        self._add(Row(self.section_title, name, measured, "", "", "", goal, ok, note, tag))

    def info(self, name: str, measured: str, note: str = "") -> None:
        self._add(Row(self.section_title, name, measured, "", "", "", "", None, note, ""))

    def not_measured(self, name: str, goal: str, reason: str, tag: str = "") -> None:
        self._add(Row(self.section_title, name, "n/a", "", "", "", goal, False, reason, tag))

    def summary(self) -> list[Row]:
        """Print every figure that has a goal; return the missed ones."""
        goals = [r for r in self.rows if r.ok is not None]
        ordered = sorted((r for r in goals if r.tag), key=lambda r: r.tag) + [
            r for r in goals if not r.tag
        ]
        print()
        print("Summary: every figure with a goal (issue 13's rows first, marked 13a-13f)")
        print("=" * WIDTH)
        print(
            f"  {'row':<4} {'figure':<40} {'goal':<18} {'measured':>16} {'baseline':>12}"
            f" {'ratio':>7}  {'':<4}  baseline is"
        )
        for r in ordered:
            print(
                f"  {r.tag:<4} {r.name.strip():<40} {r.goal:<18} {r.measured:>16} "
                f"{r.baseline:>12} {r.ratio:>7}  {verdict(r.ok):<4}  {r.base_label}".rstrip()
            )
        return [r for r in ordered if r.ok is False]
