"""Which campaign a page shows, and the campaign bar that says so.

Every page shows one campaign. It is, in order: the campaign of the story in the address
(``/stories/12``), the ``campaign`` field of the form posted, ``?campaign=NAME`` in the
address (a bookmark; the page remembers it in the session for the next pages), the
campaign chosen last in this session, or the web page's default campaign (``infobot web
--campaign NAME``, INFOBOT_CAMPAIGN, or the first campaign). With one campaign nothing of
this shows; with several, a bar under the menu names the campaign and switches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infobot.domain.errors import NotFound
from infobot.store.queries import campaigns, stories

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.domain.campaign import CampaignSpec
    from infobot.store.rows import CampaignRow
    from infobot.web.core import Ctx

SESSION_KEY = "campaign"
FIELD = "campaign"


@dataclass(frozen=True)
class CampaignChoice:
    app: App
    name: str
    names: list[str]  # every campaign, oldest first
    switch_to: str  # where the bar's switch form goes (this page, or the queue)

    @property
    def several(self) -> bool:
        return len(self.names) > 1

    def context(self) -> dict[str, Any]:
        """What a page's template gets: the choice, its hashtag and its clock."""
        settings = self.app.settings
        return {"campaign": self, "hashtag": settings.hashtag, "timezone": settings.tz}


class CampaignApps:
    """The App of each campaign as its row stands, built once for each version of the row
    (``App.with_row`` reads nothing but the row's spec): a page no longer builds the
    campaign's settings and services again on every request. Whether several campaigns run
    is part of the version: an App remembers it (its alerts then name their campaign)."""

    KEEP = 32  # versions kept; past that the next one starts afresh

    def __init__(self, root: App) -> None:
        self.root = root
        self._apps: dict[tuple[int, CampaignSpec, bool], App] = {}

    def of(self, row: CampaignRow, several_running: bool) -> App:
        key = (row.id, campaigns.spec_of(row), several_running)
        found = self._apps.get(key)
        if found is None:
            if len(self._apps) >= self.KEEP:
                self._apps.clear()
            found = self._apps[key] = self.root.with_row(row)
        return found


def choose(ctx: Ctx) -> CampaignChoice:
    root = ctx.web.app
    request = ctx.request
    story_id = request.path_params.get("id")
    on_story = isinstance(story_id, int) and request.url.path.startswith("/stories/")
    with root.db.reader() as r:
        rows = campaigns.every(r)
        story_campaign = stories.campaign_of(r, story_id) if isinstance(story_id, int) else None
    by_name = {row.name: row for row in rows}
    by_id = {row.id: row for row in rows}
    given = ctx.field(FIELD) if ctx.form_data is not None else ""
    asked = request.query_params.get(FIELD, "").strip()
    remembered = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if story_campaign is not None and story_campaign in by_id:
        row = by_id[story_campaign]
    elif given or asked:
        wanted = given or asked
        if wanted not in by_name:
            raise NotFound(
                f"there is no campaign called {wanted!r}; the campaigns are: " + ", ".join(by_name)
            )
        row = by_name[wanted]
        if asked and not given:
            request.session[SESSION_KEY] = wanted
    elif isinstance(remembered, str) and remembered in by_name:
        row = by_name[remembered]
    else:
        row = by_id.get(root.campaign_id) or rows[0]
    switch_to = "/queue" if on_story or request.method != "GET" else request.url.path
    several_running = sum(1 for each in rows if each.active) > 1
    app = ctx.web.campaign_apps.of(row, several_running)
    return CampaignChoice(app, row.name, list(by_name), switch_to)
