"""Sending: drive each open delivery of a story as far as it can go, all platforms at once.

Each (story, platform) has one delivery row (invariant 2). Before every network call the
intent is committed (status ``sending``, attempt counted); the result is committed right
after. A crash in between leaves ``sending``, which is treated exactly like ``in_doubt``:
the part is looked up on the platform (reconciled) before anything is sent again, and a
thread resumes from the first unconfirmed part, replying to the last confirmed one. Each
part has its own idempotency key, the same on every attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from infobot.domain.delivery import (
    OPEN,
    SENDING_LEASE,
    UNCONFIRMED,
    WAITING,
    DeliveryStatus,
    Part,
)
from infobot.domain.errors import InDoubt, PlatformError, UserError
from infobot.domain.render import Post, render
from infobot.domain.story import StoryInput
from infobot.platforms.base import Platform, Published
from infobot.service.media import MediaFolder
from infobot.service.publisher.ledger import LedgerUser, outcome_of
from infobot.service.publisher.outcomes import Delivered, Outcome
from infobot.store import deliveries, linkcards, stories
from infobot.store.models import Delivery

log = logging.getLogger("infobot.publisher")

#: Asked before a delivery's remaining posts go out: why they may not (the X budget), or
#: None. A refusal fails the delivery on that platform alone.
SpendGuard = Callable[[str, Sequence[Post]], str | None]
BUDGET_REFUSED = "delivery.budget_refused"


class Sender(LedgerUser):
    guard: SpendGuard | None = None
    #: Where a story's picture is; None: a story with a local picture cannot be sent.
    media: MediaFolder | None = None

    def deliver(
        self, story_id: int, platforms: Sequence[str] | None = None, *, retry_now: bool = False
    ) -> Delivered:
        """Send (or resume) every open delivery of a story, all platforms at once."""
        now = self.ledger.now()
        with self.db.read() as session:
            rows = [
                d
                for d in deliveries.of_story(session, story_id)
                if platforms is None or d.platform in platforms
            ]
        todo = [
            d.id
            for d in rows
            if d.status in OPEN
            and (
                retry_now
                or d.status not in WAITING
                or d.next_attempt_at is None
                or d.next_attempt_at <= now
            )
        ]
        result = Delivered(story_id, attempted=len(todo))
        result.outcomes.extend(outcome_of(d) for d in rows if d.id not in todo)
        if todo:
            with ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="deliver") as pool:
                driven = list(pool.map(self.deliver_one, todo))
            result.outcomes.extend(driven)
            for outcome in driven:
                _log(story_id, outcome)
        self.ledger.settle(story_id)
        return result

    def deliver_one(self, delivery_id: int) -> Outcome:
        """Drive one delivery as far as it can go now. Never raises for platform errors.

        It first takes the delivery (a compare-and-set in a write transaction), so two
        processes never drive the same delivery: a ``sending`` row belongs to whoever set
        it until it is ``SENDING_LEASE`` old, after which its sender is presumed dead.
        """
        with self.db.write() as session:
            delivery = deliveries.locked(session, delivery_id)
            if not self._takeable(delivery):
                return outcome_of(delivery)
            story_id = delivery.story_id
            story = stories.to_input(stories.by_id(session, delivery.story_id))
            name = delivery.platform
            key = delivery.idempotency_key
            confirmed = deliveries.parts(delivery)
            needs_reconcile = delivery.status in UNCONFIRMED
            delivery.status = DeliveryStatus.SENDING
            delivery.updated_at = self.ledger.now()
        try:
            platform = self.platforms.get(name)
            story = self._with_picture(story)
            rules = platform.rules()
            card = None
            if rules.link_cards:  # read the card (and its picture) only where it is shown
                with self.db.read() as session:
                    card = linkcards.of_story(session, story_id)
            rendered = render(story, rules, self.options.for_platform(name), card)
        except (LookupError, PlatformError, UserError) as exc:
            return self.ledger.finish(
                delivery_id, DeliveryStatus.FAILED, f"cannot use {name}: {exc}"
            )
        if not rendered.ok:
            return self.ledger.finish(
                delivery_id, DeliveryStatus.FAILED, "; ".join(rendered.problems)
            )
        posts = list(rendered.posts)
        if needs_reconcile and len(confirmed) < len(posts):
            try:
                confirmed = self._reconcile(delivery_id, platform, posts, confirmed, key)
            except PlatformError as exc:
                return self.ledger.record_error(delivery_id, exc, reconcile=True)
        refusal = self.guard(name, posts[len(confirmed) :]) if self.guard is not None else None
        if refusal is not None and len(confirmed) < len(posts):
            return self.ledger.finish(
                delivery_id, DeliveryStatus.FAILED, refusal, action=BUDGET_REFUSED
            )
        while len(confirmed) < len(posts):
            index = len(confirmed)
            self.ledger.transition(
                delivery_id,
                DeliveryStatus.SENDING,
                f"sending part {index + 1}/{len(posts)}",
                count_attempt=True,
                action="delivery.sending",
            )
            reply_to = Published(confirmed[-1].remote_id, confirmed[-1].url) if confirmed else None
            try:
                published = platform.publish(
                    posts[index], idempotency_key=f"{key}:{index}", reply_to=reply_to
                )
            except PlatformError as exc:
                return self.ledger.record_error(delivery_id, exc)
            except Exception as exc:  # an adapter bug: the post may or may not exist
                doubt = InDoubt(f"unexpected {type(exc).__name__}: {exc}")
                return self.ledger.record_error(delivery_id, doubt)
            confirmed = self.ledger.confirm(delivery_id, index, published, len(posts))
        with self.db.read() as session:
            return outcome_of(deliveries.get(session, delivery_id))

    def _with_picture(self, story: StoryInput) -> StoryInput:
        """The story with its picture's name in the media folder turned into the file to
        send (checked again, confined to the folder); a web address stays as it is."""
        image = story.image
        if not image or image[:8].lower().startswith(("https://", "http://")):
            return story
        if self.media is None:
            raise UserError("the story has a picture but no media folder is set")
        return replace(story, image=str(self.media.path_for(image)))

    def _reconcile(
        self,
        delivery_id: int,
        platform: Platform,
        posts: list[Post],
        confirmed: list[Part],
        key: str,
    ) -> list[Part]:
        """Look for the first unconfirmed part on the platform before sending it again."""
        index = len(confirmed)
        found = platform.lookup(posts[index], idempotency_key=f"{key}:{index}")
        expected = confirmed[-1].remote_id if confirmed else ""
        if found is not None and found.parent not in (None, expected):
            found = None  # the same text under another post (a link reply of another day)
        if found is not None:
            return self.ledger.confirm(delivery_id, index, found, len(posts), reconciled=True)
        self.ledger.transition(
            delivery_id,
            DeliveryStatus.PENDING,
            "reconciled: not on the platform",
            action="delivery.not_found",
        )
        return confirmed

    def _takeable(self, delivery: Delivery) -> bool:
        if delivery.status == DeliveryStatus.SENDING:
            return delivery.updated_at <= self.ledger.now() - SENDING_LEASE
        return delivery.status in OPEN


def _log(story_id: int, outcome: Outcome) -> None:
    quiet = outcome.status in (DeliveryStatus.SENT, DeliveryStatus.RETRY_WAIT)
    log.log(
        logging.INFO if quiet else logging.WARNING,
        "story #%s on %s: %s%s",
        story_id,
        outcome.platform,
        outcome.status,
        f" ({outcome.error})" if outcome.error else "",
        extra={
            "event": "delivery",
            "story_id": story_id,
            "platform": outcome.platform,
            "outcome": outcome.status,
            "url": outcome.url,
        },
    )
