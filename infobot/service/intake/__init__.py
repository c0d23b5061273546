"""Stories from the public: the share form, the storyteller's own link, retention and the
campaign's public page (issue 16).

- :mod:`.share`: a submission checked whole, limited per address and per campaign, stored
  as a ``submitted`` story with its consent record;
- :mod:`.storyteller`: the private link's page and withdrawing consent;
- :mod:`.retention`: a withdrawn story's personal fields erased after the retention period;
- :mod:`.public`: the public page and feed of every posted story;
- :mod:`.mail`: the link emailed through apprise;
- :mod:`.consent`: the versioned consent text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IntakeSwitches"]


@dataclass(frozen=True)
class IntakeSwitches:
    """Whether a campaign's public parts are open."""

    campaign_id: int
    name: str
    share_form: bool
    public_page: bool
