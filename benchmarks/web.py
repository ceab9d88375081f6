"""Measure the dashboard: first-visit bytes, page latency, throughput, and reads during an upload.

    python benchmarks/web.py --db demo-output/detente.duckdb [--clients 20] [--seconds 10] [--upload-kb 200]

Serves a copy of the store (uvicorn, as `detente serve --allow-ingest` runs it) on a free local
port and prints Markdown tables; results are recorded in benchmarks/web.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from detente.web.app import create_app
from detente.web.cli import server_config

PAGES = ["/", "/events", "/events?party=RUS&type=ACCUSE", "/actor/RUS", "/dyad/RUS/PAK", "/series?party=RUS",
         "/documents", "/network", "/api/stats", "/api/events?page_size=200", "/api/actors?q=russ"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def first_visit(base: str, encoding: str) -> tuple[int, float, int]:
    """Bytes on the wire, seconds and requests for the overview and every asset it loads."""
    start = time.monotonic()
    total = 0
    with httpx.Client(base_url=base, headers={"accept-encoding": encoding}, timeout=60) as client:
        with client.stream("GET", "/") as resp:
            html = resp.read().decode()
            total += resp.num_bytes_downloaded
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        for asset in assets:
            with client.stream("GET", asset) as resp:
                resp.read()
                total += resp.num_bytes_downloaded
    return total, time.monotonic() - start, 1 + len(assets)


def latency(base: str, rounds: int) -> dict[str, tuple[float, float]]:
    out = {}
    with httpx.Client(base_url=base, headers={"accept-encoding": "gzip"}, timeout=60) as client:
        for page in PAGES:
            client.get(page)  # warm: the first visit of a page imports the analysis
            times = []
            for _ in range(rounds):
                start = time.monotonic()
                assert client.get(page).status_code == 200, page
                times.append(time.monotonic() - start)
            out[page] = (statistics.median(times), max(times))
    return out


def throughput(base: str, clients: int, seconds: float) -> tuple[int, int, float]:
    done, errors = [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(n: int) -> None:
        with httpx.Client(base_url=base, headers={"accept-encoding": "gzip"}, timeout=60) as client:
            i = n
            while time.monotonic() < stop:
                ok = client.get(PAGES[i % len(PAGES)]).status_code == 200
                i += 1
                with lock:
                    done[0] += ok
                    errors[0] += not ok

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], errors[0], time.monotonic() - start


def upload(base: str, text: bytes) -> dict[str, object]:
    """Upload through the form; while it codes, keep reading pages. Reports read latencies and job time."""
    with httpx.Client(base_url=base, timeout=600) as browser:
        token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/ingest").text).group(1)
        start = time.monotonic()
        resp = browser.post("/ingest", files={"file": ("bench.txt", text, "text/plain")}, data={"csrf": token},
                            headers={"origin": base}, follow_redirects=False)
        accepted = time.monotonic() - start
        job = resp.headers["location"]
        reads: list[float] = []
        state = "queued"
        with httpx.Client(base_url=base, timeout=600) as reader:
            while state not in ("done", "failed"):
                state = re.search(r'data-state="(\w+)"', browser.get(job).text).group(1)
                for page in ("/api/stats", "/events", "/dyad/RUS/PAK", "/actor/RUS"):
                    t = time.monotonic()
                    reader.get(page)
                    if state == "coding":
                        reads.append(time.monotonic() - t)
        return {"state": state, "accepted_s": accepted, "job_s": time.monotonic() - start, "reads": reads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a DuckDB store (make demo writes demo-output/detente.duckdb)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--upload-kb", type=int, default=200)
    args = parser.parse_args()
    if not Path(args.db).is_file():
        sys.exit(f"error: {args.db}: no such store (run `make demo` or pass --db)")
    folder = Path(tempfile.mkdtemp(prefix="detente-webbench-"))
    db = folder / "bench.duckdb"
    shutil.copy(args.db, db)
    port = _port()
    server = uvicorn.Server(server_config(create_app(str(db), allow_ingest=True, max_upload_bytes=10_000_000),
                                          "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        print("\n| first visit of / | bytes on the wire | requests | seconds |\n|---|---:|---:|---:|")
        for encoding in ("identity", "gzip"):
            size, secs, n = first_visit(base, encoding)
            print(f"| Accept-Encoding: {encoding} | {size:,} | {n} | {secs:.2f} |")
        print(f"\n| page (warm, {args.rounds} requests) | median ms | max ms |\n|---|---:|---:|")
        for page, (median, worst) in latency(base, args.rounds).items():
            print(f"| `{page}` | {median * 1000:.0f} | {worst * 1000:.0f} |")
        done, errors, secs = throughput(base, args.clients, args.seconds)
        print(f"\n{args.clients} clients for {secs:.1f} s over the pages above: {done / secs:.1f} requests/s, "
              f"{errors} errors")
        paragraphs = [json.loads(line)["text"] for line in Path("samples/news.jsonl").read_text().splitlines()]
        text = "\n\n".join(paragraphs)
        body = (text * (args.upload_kb * 1024 // len(text.encode()) + 1)).encode()[: args.upload_kb * 1024]
        result = upload(base, body.decode(errors="ignore").encode())
        reads = result["reads"]
        print(f"\nupload of {len(body) // 1024} KB of text: answered in {result['accepted_s']:.2f} s, "
              f"{result['state']} after {result['job_s']:.1f} s; {len(reads)} reads while it coded: "
              + (f"median {statistics.median(reads) * 1000:.0f} ms, p95 {_quantile(reads, 0.95) * 1000:.0f} ms, "
                 f"max {max(reads) * 1000:.0f} ms" if reads else "none"))
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
