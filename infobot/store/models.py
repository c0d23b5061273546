"""SQLAlchemy 2 models. All instants are stored in UTC; campaign days are local dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

# Base is imported from here by the rest: with this module loaded, every table is on it.
from infobot.store.model_base import Base as Base
from infobot.store.model_base import UtcDateTime, partial_index


def add_postgresql_where() -> None:
    """Give every partial index its condition on PostgreSQL too (idempotent)."""
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_options["postgresql"]["where"] = where


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    hashtag: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    post_time: Mapped[str] = mapped_column(String(8))  # "09:00"
    weekdays: Mapped[str] = mapped_column(String(7))  # "0123456", Monday = 0
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[date | None] = mapped_column(Date)
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Campaigns run from the web and the CLI (migration 0006).
    platforms: Mapped[str] = mapped_column(Text, default="", server_default="")  # "outbox,x"
    languages: Mapped[str] = mapped_column(Text, default="en", server_default="en")  # "en,cy"
    share_form: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    stories_page: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The campaign the settings made (INFOBOT_CAMPAIGN_NAME, ...), and the settings' values
    # as last applied to it (JSON): a setting is applied again only when it changes.
    from_settings: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    settings_applied: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (
        UniqueConstraint("campaign_id", "fingerprint"),
        UniqueConstraint("campaign_id", "pin_date"),
        # approved stories only (migration 0012): every query it serves asks for them
        partial_index(
            "ix_stories_queue",
            "campaign_id",
            "status",
            "pin_date",
            "sort_key",
            "id",
            where="status = 'approved'",
        ),
        Index("ix_stories_status_order", "campaign_id", "status", "sort_key", "id"),
        partial_index(
            "ix_stories_others", "campaign_id", "sort_key", "id", where="status <> 'approved'"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sort_key: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(Text, default="")
    image_alt: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    consent_by: Mapped[str] = mapped_column(Text, default="")
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_scope: Mapped[str] = mapped_column(Text, default="")
    pin_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The story in other languages, as JSON: {"cy": {"title": …, "body": …, "image_alt": …}}
    versions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Every language the story has text in, sorted, space-separated ("cy en"): the queue of
    # a bilingual campaign holds only the stories ready in all of its languages.
    languages: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Marked by an approver to go out inside a pre-election period (why, who, when).
    # (server defaults only: bulk imports leave them out)
    essential_reason: Mapped[str] = mapped_column(Text, server_default="")
    essential_by: Mapped[str] = mapped_column(String(200), server_default="")
    essential_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When a withdrawn story's personal fields were erased (after the retention period).
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Slot(Base):
    """One campaign day. The unique (campaign, local date) pair is invariant 1."""

    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("campaign_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    local_date: Mapped[date] = mapped_column(Date)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # claimed, posted, partly_posted, failed,
    #                                                  missed, skipped
    reason: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Delivery(Base):
    """One story on one platform. The unique (story, platform) pair is invariant 2."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("story_id", "platform"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
        partial_index("ix_deliveries_needing", "id", where="status IN ('failed', 'in_doubt')"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), index=True)
    platform: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    remote_id: Mapped[str] = mapped_column(Text, default="")
    remote_url: Mapped[str] = mapped_column(Text, default="")
    parts: Mapped[str] = mapped_column(Text, default="[]")  # JSON: confirmed thread parts
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Blackout(Base):
    __tablename__ = "blackouts"
    __table_args__ = (UniqueConstraint("campaign_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ElectionPeriodRow(Base):
    """A pre-election period of a campaign: no posts from ``first_day`` to ``last_day``
    (both included) but the stories an approver marked essential."""

    __tablename__ = "election_periods"
    __table_args__ = (UniqueConstraint("campaign_id", "first_day", "last_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="team")  # team, settings
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Event(Base):
    """The audit trail: who did what, when, with the state before and after."""

    __tablename__ = "events"
    __table_args__ = (
        # a delivery's events only (migration 0012): story events have no delivery
        partial_index("ix_events_delivery_id", "delivery_id", where="delivery_id IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    message: Mapped[str] = mapped_column(Text, default="")


class Heartbeat(Base):
    """One row per running daemon: it proves the scheduler is alive."""

    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker: Mapped[str] = mapped_column(String(200), unique=True)
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(20))  # running, stopped


class Alert(Base):
    """Alerts raised, one row per distinct alert so each goes out once."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    message: Mapped[str] = mapped_column(Text)


class User(Base):
    """A local account for the team's web page; ``role`` is editor, approver or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The name as matched (NFKC, case-folded: infobot.domain.accounts.name_key); unique, so
    # two accounts can never differ only in case or Unicode form.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text, default="")  # argon2; empty: no password
    # Sessions carry the epoch they began in; signing out or a new password moves it on,
    # which ends every earlier session of the account (the cookie itself is stateless).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SignInFailures(Base):
    """Failed sign-ins in a row, per scope and key (infobot.domain.accounts.Scope).

    Kept in the database so that every web replica counts the same failures."""

    __tablename__ = "signin_failures"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    wait_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


# -- impact (issue 14): engagement read back, and what X costs -----------------------------
class CountColumns:
    """A post's public counts (a thread's first post) and the sum of the rest of its thread,
    one column per :class:`~infobot.domain.engagement.Metric`; NULL is unknown, never 0."""

    likes: Mapped[int | None] = mapped_column(BigInteger)
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    replies: Mapped[int | None] = mapped_column(BigInteger)
    quotes: Mapped[int | None] = mapped_column(BigInteger)
    bookmarks: Mapped[int | None] = mapped_column(BigInteger)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    rest_likes: Mapped[int | None] = mapped_column(BigInteger)
    rest_reposts: Mapped[int | None] = mapped_column(BigInteger)
    rest_replies: Mapped[int | None] = mapped_column(BigInteger)
    rest_quotes: Mapped[int | None] = mapped_column(BigInteger)
    rest_bookmarks: Mapped[int | None] = mapped_column(BigInteger)
    rest_impressions: Mapped[int | None] = mapped_column(BigInteger)
    parts: Mapped[int] = mapped_column(Integer, default=1)


class EngagementPost(CountColumns, Base):
    """A sent delivery's read schedule and its latest counts (one row per delivery)."""

    __tablename__ = "engagement_posts"
    __table_args__ = (Index("ix_engagement_posts_due", "state", "next_read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), unique=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    platform: Mapped[str] = mapped_column(String(50))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(20), default="live")  # domain PostState
    next_read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: reading is over
    last_read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the last attempt
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the counts were read
    reads: Mapped[int] = mapped_column(Integer, default=0)  # successful reads
    unchanged: Mapped[int] = mapped_column(Integer, default=0)  # unchanged reads in a row
    failures: Mapped[int] = mapped_column(Integer, default=0)  # failed reads in a row
    error: Mapped[str] = mapped_column(Text, default="")
    gone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EngagementSnapshot(CountColumns, Base):
    """One read of a delivery's counts, kept for growth over time."""

    __tablename__ = "engagement_snapshots"
    __table_args__ = (Index("ix_engagement_snapshots_delivery", "delivery_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"))
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)


class XCharge(Base):
    """The X ledger: every request infobot made to X, with its cost in micro-dollars."""

    __tablename__ = "x_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(30))  # domain XRequest
    units: Mapped[int] = mapped_column(Integer, default=1)  # requests, or posts returned
    status: Mapped[int] = mapped_column(Integer)  # X's HTTP status; only 2xx is charged
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)  # USD x 1,000,000


class LinkCard(Base):
    """The card of the page a story links to (Bluesky), read when the story was approved.

    ``problem`` says why there is none (the page could not be read); then the post goes
    without a card. ``url`` is the link as the story had it: a card for another link is not
    used."""

    __tablename__ = "link_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), unique=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    thumb: Mapped[bytes | None] = mapped_column(LargeBinary)  # at most 1,000,000 bytes
    thumb_mime: Mapped[str] = mapped_column(String(40), default="")
    image_url: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # one per line
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Submission(Base):
    """A story from the public share form: the storyteller's consent and private link.

    The consent record is the text version they were shown, each choice and the time. The
    link's token is kept as a digest only. A withdrawn story's personal fields (here and on
    the story) are erased after the retention period, leaving this row anonymous."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    form_nonce: Mapped[str] = mapped_column(String(64), unique=True)  # a form is sent once
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_post: Mapped[bool] = mapped_column(Boolean)
    consent_name: Mapped[bool] = mapped_column(Boolean)
    consent_role: Mapped[bool] = mapped_column(Boolean)
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime)
    name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class IntakeCount(Base):
    """Share form submissions in the current window, per scope (address, campaign) and key.

    Kept in the database, like the sign-in counts, so every web replica counts the same."""

    __tablename__ = "intake_counts"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
