"""The load: a separate process that sends a fixed number of requests per endpoint.

    .venv/bin/python bench/load.py < plan.json > results.json

Reads a plan (JSON on stdin, written by bench/city.py), and for each endpoint sends
``warmup`` requests that are not counted, then ``n`` requests from ``concurrency``
worker processes (processes, not threads: the client must not be the bottleneck),
each with its own keep-alive HTTP connection, cycling through the endpoint's paths.
Every answer is read to the end. It writes, per endpoint, each request's latency,
its status and the ``X-Queries`` header the benchmark's server adds.

No Django here: this process only speaks HTTP to the server on loopback.
"""

import http.client
import json
import multiprocessing
import sys
import time
import uuid
from urllib.parse import urlsplit


def _body(endpoint: dict, blobs: dict, index: int) -> tuple[bytes | None, dict]:
    """The request body and its headers: fresh for every request of an intake."""
    kind = endpoint.get("body")
    headers = dict(endpoint.get("headers", {}))
    if kind is None:
        return None, headers
    unique = uuid.uuid4().hex
    fields = {
        key: value.replace("{unique}", unique)
        for key, value in endpoint["fields"].items()
    }
    if kind == "form":
        from urllib.parse import urlencode

        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return urlencode(fields).encode(), headers
    if kind == "multipart":
        boundary = f"warga-bench-{unique}"
        parts = []
        for key, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
        for key, path in endpoint.get("files", {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                + blobs[path]
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        if endpoint.get("idempotency"):
            headers["Idempotency-Key"] = unique
        return b"".join(parts), headers
    raise ValueError(f"unknown body kind {kind!r}")


def _worker(base: str, endpoint: dict, indexes: list[int], start, out) -> None:
    target = urlsplit(base)
    blobs = {}
    for path in endpoint.get("files", {}).values():
        with open(path, "rb") as handle:
            blobs[path] = handle.read()
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
    paths = endpoint["paths"]
    samples = []
    start.wait()
    for index in indexes:
        body, headers = _body(endpoint, blobs, index)
        path = paths[index % len(paths)]
        began = time.perf_counter()
        try:
            conn.request(
                endpoint.get("method", "GET"), path, body=body, headers=headers
            )
            response = conn.getresponse()
            size = 0
            rows = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
                if endpoint.get("count_lines"):
                    rows += chunk.count(b"\n")
            status = response.status
            queries = response.getheader("X-Queries")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            status, queries, size, rows = f"error: {exc}", None, 0, 0
        samples.append(
            (
                time.perf_counter() - began,
                status,
                int(queries) if queries and queries.isdigit() else None,
                size,
                rows,
                began,
            )
        )
    conn.close()
    out.send(samples)
    out.close()


def run_endpoint(base: str, endpoint: dict) -> dict:
    concurrency = endpoint.get("concurrency", 4)
    warmup = endpoint.get("warmup", 0)
    if warmup:
        _run(base, {**endpoint, "n": warmup}, concurrency)
    began = time.perf_counter()
    # The measured requests take the paths after the warm-up's.
    samples = _run(base, endpoint, concurrency, offset=warmup)
    wall = time.perf_counter() - began
    return {
        "name": endpoint["name"],
        "wall_seconds": wall,
        "concurrency": concurrency,
        "latencies": [s[0] for s in samples],
        "statuses": [s[1] for s in samples],
        "queries": [s[2] for s in samples],
        "bytes": [s[3] for s in samples],
        "rows": [s[4] for s in samples],
    }


def _run(base: str, endpoint: dict, concurrency: int, offset: int = 0) -> list:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    end = offset + endpoint["n"]
    shares = [list(range(offset + i, end, concurrency)) for i in range(concurrency)]
    pipes, workers = [], []
    for share in shares:
        if not share:
            continue
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(
            target=_worker, args=(base, endpoint, share, start, sender)
        )
        worker.start()
        sender.close()
        pipes.append(receiver)
        workers.append(worker)
    time.sleep(0.2)  # every worker connected and waiting
    start.set()
    samples = []
    for receiver in pipes:
        samples.extend(receiver.recv())
    for worker in workers:
        worker.join()
    return samples


def main() -> None:
    plan = json.load(sys.stdin)
    results = []
    for endpoint in plan["endpoints"]:
        print(f"  load: {endpoint['name']} ({endpoint['n']} requests)", file=sys.stderr)
        results.append(run_endpoint(plan["base"], endpoint))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
