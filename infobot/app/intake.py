"""The App's parts for stories from the public: the share form, the storyteller's link,
erasure, the public page and the team's inbox."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from infobot.app.parts import AppParts
from infobot.domain.schedule import DayState
from infobot.store import campaigns, stories

if TYPE_CHECKING:
    from infobot.service.intake import IntakeSwitches
    from infobot.service.intake.inbox import Inbox
    from infobot.service.intake.mail import LinkMailer
    from infobot.service.intake.public import PublicStories
    from infobot.service.intake.retention import Retention
    from infobot.service.intake.share import IntakeRules, ShareDesk
    from infobot.service.intake.storyteller import StorytellerDesk


class IntakeParts(AppParts):
    """Builders of the intake services (a part of :class:`infobot.app.App`)."""

    # -- stories from the public (issue 16) ----------------------------------------------
    def intake_switches(self, campaign: str) -> IntakeSwitches | None:
        """Whether the share form and the public page of the campaign named ``campaign``
        are open (None: there is no such campaign). Each campaign's row holds its own
        switches (the Campaigns page, ``infobot campaign edit``); INFOBOT_SHARE_FORM and
        INFOBOT_PUBLIC_PAGE set them for the campaign the settings describe."""
        from infobot.service.intake import IntakeSwitches

        with self.db.read() as session:
            row = campaigns.by_name(session, campaign)
            if row is None:
                return None
            return IntakeSwitches(
                row.id,
                row.name,
                share_form=bool(row.share_form),
                public_page=bool(row.stories_page),
            )

    @cached_property
    def intake_rules(self) -> IntakeRules:
        from infobot.service.intake.share import IntakeRules

        settings = self.settings
        return IntakeRules(
            per_address=settings.share_limit_per_address,
            per_campaign=settings.share_limit_per_campaign,
            retention=timedelta(days=settings.share_retention_days),
        )

    def share(self, campaign_id: int) -> ShareDesk:
        from infobot.service.intake.share import ShareDesk

        return ShareDesk(
            self.db, self.clock, campaign_id, self.media, self.intake_rules, self.settings.tz
        )

    def storyteller(self) -> StorytellerDesk:
        """The storyteller's link: each story is planned and withdrawn by its own
        campaign's App (its queue, calendar and platforms), whichever campaign's App
        serves the page."""
        from infobot.domain.intake import platform_name
        from infobot.service.editorial import Withdrawal
        from infobot.service.intake.storyteller import StorytellerDesk, planned_days

        def own(story_id: int) -> AppParts:
            with self.db.read() as session:
                campaign_id = stories.by_id(session, story_id).campaign_id
            return self if campaign_id == self.campaign_id else self.using(campaign_id)

        def planned_day(story_id: int) -> date | None:
            app = own(story_id)

            def plan(days: int) -> list[tuple[date, DayState, int | None]]:
                with app.db.read() as session:
                    found = app.planner.plan(session, days)
                return [(d.day, d.state, d.story.id if d.story else None) for d in found]

            return planned_days(plan)(story_id)

        def withdraw(story_id: int, *, reason: str, actor: str) -> Withdrawal:
            return own(story_id).editorial().withdraw(story_id, reason=reason, actor=actor)

        return StorytellerDesk(
            self.db,
            self.clock,
            retention=self.intake_rules.retention,
            withdraw=withdraw,
            alert=self.alerts.raise_once,
            planned_day=planned_day,
            platform_names=platform_name,
        )

    def retention(self) -> Retention:
        from infobot.service.intake.retention import Retention

        return Retention(self.db, self.clock, self.media, retention=self.intake_rules.retention)

    def public_stories(self, campaign_id: int) -> PublicStories:
        from infobot.domain.intake import platform_name
        from infobot.service.intake.public import PublicStories

        return PublicStories(self.db, campaign_id, self.media, platform_name)

    def inbox(self) -> Inbox:
        from infobot.service.intake.inbox import Inbox

        return Inbox(self.db, self.campaign_id)

    @cached_property
    def link_mailer(self) -> LinkMailer:
        from infobot.service.intake.mail import LinkMailer

        url = self.settings.mail_url
        return LinkMailer(
            url.get_secret_value() if url else None,
            campaign=self.settings.campaign_name,
            retention_days=self.settings.share_retention_days,
        )
