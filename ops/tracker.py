"""`.venvs/rasa/bin/python -m ops.tracker`: create Rasa's SQL tracker store table (`events`) once, from the
TRACKER_DB_* settings endpoints.production.yml uses, before the replicas start — otherwise every
replica runs CREATE TABLE at the same moment on a fresh database and all but one may fail.
Runs in the Rasa environment (Python 3.10)."""
from __future__ import annotations

import os
import sys


def main() -> int:
    from rasa.core.tracker_store import SQLTrackerStore

    store = SQLTrackerStore(dialect="postgresql", host=os.environ["TRACKER_DB_HOST"],
                            port=int(os.environ["TRACKER_DB_PORT"]), db=os.environ["TRACKER_DB_NAME"],
                            username=os.environ["TRACKER_DB_USER"], password=os.environ.get("TRACKER_DB_PASSWORD"))
    store.engine.dispose()
    print(f"[production] tracker store ready in database {os.environ['TRACKER_DB_NAME']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
