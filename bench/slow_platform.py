"""Benchmark platforms that answer every request after ``BENCH_SLOW_SECONDS`` (1 s).

They are installed the way an outside package installs a platform: the daemon section
writes a ``.dist-info`` folder whose ``infobot.platforms`` entry points name
``create_a``, ``create_b`` and ``create_c`` here (like tests/data/example_platform, whose
imports this module follows). Each request appends its wall-clock start and end to
``BENCH_SLOW_LOG`` as a JSON line.
"""

from __future__ import annotations

import json
import os
import time

from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, PlatformBase, Published


class SlowPlatform(PlatformBase):
    def __init__(self, name: str) -> None:
        self.name = name
        self._rules = PlatformRules(name=name, max_length=5000, counter="graphemes")

    def rules(self) -> PlatformRules:
        return self._rules

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        start = time.time()
        time.sleep(float(os.environ.get("BENCH_SLOW_SECONDS", "1")))
        end = time.time()
        line = json.dumps({"platform": self.name, "start": start, "end": end}) + "\n"
        fd = os.open(os.environ["BENCH_SLOW_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return Published(f"{self.name}-{idempotency_key}")

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        return None

    def delete(self, published: Published) -> None:
        return None

    def verify(self) -> Account:
        return Account(name=self.name)


def create_a(settings: object, config: object) -> SlowPlatform:
    return SlowPlatform("slow_a")


def create_b(settings: object, config: object) -> SlowPlatform:
    return SlowPlatform("slow_b")


def create_c(settings: object, config: object) -> SlowPlatform:
    return SlowPlatform("slow_c")
