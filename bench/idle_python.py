"""A bare interpreter that only waits: the floor under every process's memory.

``python -m bench.idle_python``: prints "ready", then sleeps until it is stopped.
"""

import time

if __name__ == "__main__":
    print("ready", flush=True)
    time.sleep(600)
