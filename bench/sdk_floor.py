"""An interpreter holding the three platform SDKs and nothing of infobot: the SDK floor.

``python -m bench.sdk_floor``: imports what the Mastodon, X and Bluesky adapters load when
the daemon starts (Mastodon.py, tweepy, atproto's client and models), prints "ready",
then sleeps until it is stopped. The daemon with those platforms is measured against it.
"""

import time

if __name__ == "__main__":
    import mastodon  # noqa: F401
    import tweepy  # noqa: F401
    from atproto import Client, models  # noqa: F401

    print("ready", flush=True)
    time.sleep(600)
