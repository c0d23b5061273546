"""The import's baseline: read a CSV with the standard library and insert it in one go.

``python -m bench.baseline_import STORIES.csv TARGET.db``. No checks at all: the import
figure's ratio says what infobot's reading, checking and writing cost on top of this.
"""

import csv
import sqlite3
import sys


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        conn = sqlite3.connect(target)
        conn.execute(f"CREATE TABLE stories ({', '.join(header)})")
        marks = ", ".join("?" * len(header))
        with conn:
            conn.executemany(f"INSERT INTO stories VALUES ({marks})", rows)
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
