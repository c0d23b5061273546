"""An example infobot platform: 'posts' by appending upper-case lines to a text file.

Its settings come from its own section, ``[plugins.shouty]`` in ``config/infobot.toml``
or ``INFOBOT_PLUGINS__SHOUTY__<KEY>`` in the environment, validated by ``ShoutySettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from infobot.domain.errors import PermanentError
from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, PlatformBase, Published
from infobot.platforms.common import plugin_settings

if TYPE_CHECKING:
    from infobot.settings import Settings


class ShoutySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    path: Path = Field(default=Path("shouty.txt"), description="The file posts go to")
    max_length: int = Field(default=200, ge=20, le=1000, description="Length limit")
    api_token: SecretStr | None = Field(default=None, description="Shown only as ***")


class ShoutyPlatform(PlatformBase):  # prepare() and close() do nothing here
    name = "shouty"

    def __init__(self, path: Path, *, max_length: int = 200) -> None:
        self.path = path
        self.max_length = max_length

    def rules(self) -> PlatformRules:
        return PlatformRules(name=self.name, max_length=self.max_length, counter="graphemes")

    def _lines(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        if "FORBIDDEN" in post.text:
            raise PermanentError("shouty refuses that word", platform=self.name)
        found = self.lookup(post, idempotency_key=idempotency_key)
        if found is not None:
            return found
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{idempotency_key}\t{post.text.upper()!r}\n")
        return Published(idempotency_key)

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        keys = {line.split("\t", 1)[0] for line in self._lines()}
        return Published(idempotency_key) if idempotency_key in keys else None

    def delete(self, published: Published) -> None:
        kept = [x for x in self._lines() if not x.startswith(published.remote_id + "\t")]
        self.path.write_text("".join(x + "\n" for x in kept), encoding="utf-8")

    def verify(self) -> Account:
        return Account(name=f"shouty file {self.path}")


def create(settings: Settings, config: Mapping[str, Any]) -> ShoutyPlatform:
    options = plugin_settings(ShoutySettings, config, name="shouty")
    return ShoutyPlatform(options.path, max_length=options.max_length)
