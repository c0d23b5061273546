"""Seconds to import each platform SDK in a fresh interpreter, as JSON on stdout.

``python -m bench.sdk_imports``: mastodon, then tweepy, then atproto, in that order.
"""

import importlib
import json
import time

SDKS = ("mastodon", "tweepy", "atproto")

if __name__ == "__main__":
    took = {}
    for name in SDKS:
        start = time.perf_counter()
        importlib.import_module(name)
        took[name] = time.perf_counter() - start
    print(json.dumps(took))
