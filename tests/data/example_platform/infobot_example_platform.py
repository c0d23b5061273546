"""An example infobot platform: 'posts' by appending upper-case lines to a text file."""

from __future__ import annotations

import os
from pathlib import Path

from infobot.domain.errors import PermanentError
from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, Published


class ShoutyPlatform:
    name = "shouty"

    def __init__(self, path: Path) -> None:
        self.path = path

    def rules(self) -> PlatformRules:
        return PlatformRules(name=self.name, max_length=200, counter="graphemes")

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


def create(settings: object) -> ShoutyPlatform:
    return ShoutyPlatform(Path(os.environ.get("SHOUTY_PATH", "shouty.txt")))
