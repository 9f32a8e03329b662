"""The per-object refresh a Terraform-style tool does: list every assistant, then GET each one.

    python benchmarks/refresh_baseline.py BASE_URL [--parallelism 10] [--api-key KEY]

The baseline that ``benchmarks/plan_scaling.py`` runs as its own process next to
``assistctl plan``: one paginated list (``limit=100``, ``order=asc``), then one
``GET /assistants/{id}`` per listed assistant, ``--parallelism`` at a time over one pooled
httpx client, as Terraform's refresh reads each resource of the state. Prints one JSON line:
``{"listed": N, "requests": R, "seconds": S}`` (``seconds`` from the first request to the
last answer, without interpreter start-up; the caller times the whole process).
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

PAGE_SIZE = 100


def list_ids(client: httpx.Client) -> tuple[list[str], int]:
    """Every assistant id, oldest first, and the number of list requests it took."""
    ids: list[str] = []
    requests = 0
    after: str | None = None
    while True:
        params = {"limit": str(PAGE_SIZE), "order": "asc"}
        if after is not None:
            params["after"] = after
        response = client.get("/assistants", params=params)
        requests += 1
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        ids += [item["id"] for item in page["data"]]
        if not page["has_more"] or not page["data"]:
            return ids, requests
        after = page["last_id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8765/v1")
    parser.add_argument("--parallelism", type=int, default=10)
    parser.add_argument("--api-key", default="sk-bench-not-a-real-key")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.api_key}", "OpenAI-Beta": "assistants=v2"}
    limits = httpx.Limits(
        max_connections=args.parallelism, max_keepalive_connections=args.parallelism
    )
    start = time.perf_counter()
    with httpx.Client(
        base_url=args.base_url, headers=headers, limits=limits, timeout=60.0
    ) as client:
        ids, requests = list_ids(client)

        def refresh(assistant_id: str) -> None:
            client.get(f"/assistants/{assistant_id}").raise_for_status()

        with ThreadPoolExecutor(max_workers=args.parallelism) as pool:
            for _ in pool.map(refresh, ids):
                pass
    seconds = time.perf_counter() - start
    print(json.dumps({"listed": len(ids), "requests": requests + len(ids), "seconds": seconds}))


if __name__ == "__main__":
    main()
