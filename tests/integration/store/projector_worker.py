"""A projector process for the crash tests: writes the seeded workload in small random
batches until done, or until the test kills it (SIGKILL, at a random moment).

    python projector_worker.py DB_URL COUNT SEED BATCH_SEED
"""

import random
import sys

from store_workload import applied

from assetport.store.database import open_database
from assetport.store.projector import Projector


def main() -> None:
    url, count, seed, batch_seed = sys.argv[1], *map(int, sys.argv[2:5])
    items = applied(count, seed)
    projector = Projector(open_database(url))
    rng = random.Random(batch_seed)
    print(f"ready {projector.last_seq()}", flush=True)
    while projector.last_seq() < len(items):
        start = projector.last_seq()
        projector.apply_batch(items[start : start + rng.randint(1, 20)])
    print("done", flush=True)


if __name__ == "__main__":
    main()
