"""Throughput of detente coding: documents/s, tokens/s and peak memory per configuration.

    python benchmarks/throughput.py [--docs 300] [--repeat 2] [--out benchmarks/throughput.md]

Builds a corpus of --docs documents by repeating and varying the bundled samples
(samples/news.jsonl: new ids, shifted dates, paragraphs rotated), then runs each configuration
in a fresh process, --repeat times, and keeps the fastest run (the machine may be shared):

  parse      bare spaCy parse (nlp.pipe, same model, same thinc ops), 1 process
  parse-blas the same with OpenBLAS's default threads (one per core) instead of detente's one
  parse-2    bare spaCy parse with nlp.pipe(n_process=2), for reference
  code-1     detente coding (parse + actors + events), 1 process
  code-2     detente coding, 2 local worker processes (--workers 2)
  code-spacy-2  the alternative design: nlp.pipe(n_process=2) parses, the parent codes
  dask-2     detente coding on a 2-worker Dask LocalCluster (1 thread each)

Times exclude loading the model in the measuring process (reported apart) and, for Dask, the
start of the cluster (reported apart); worker processes of code-2 are started inside the
timed region. Peak memory is sampled with psutil (RSS of this process and of each child) and
checked against getrusage(RUSAGE_SELF / RUSAGE_CHILDREN).

Writes a markdown report with the table, the targets and a sizing model, plus a cProfile
summary of where the coding time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "news.jsonl"
CONFIGS = ("parse", "parse-blas", "parse-2", "code-1", "code-2", "code-spacy-2", "dask-2")
DAILY_ARTICLES = 250_000
TYPICAL_TOKENS = 700  # tokens in a typical wire or newspaper article (the samples are shorter)
PEAK_FACTOR = 3.0  # busiest hour vs the daily average, and catch-up after an outage
UTILISATION = 0.7  # plan workers to run at most this busy


# -- corpus ------------------------------------------------------------------------------------

def build_corpus(n_docs: int, path: Path) -> int:
    """Write n_docs documents varied from the samples; returns how many were written."""
    samples = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            base, copy = samples[i % len(samples)], i // len(samples)
            paragraphs = base["text"].split("\n\n")
            k = copy % len(paragraphs)
            text = "\n\n".join(paragraphs[k:] + paragraphs[:k]) if copy else base["text"]
            day = dt.date.fromisoformat(base["date"]) + dt.timedelta(days=7 * copy)
            fh.write(json.dumps({"id": f"{base['id']}-v{copy}", "date": day.isoformat(), "title": base.get("title"),
                                 "source": base.get("source"), "text": text}) + "\n")
    return n_docs


# -- memory sampling ---------------------------------------------------------------------------

class PeakMemory:
    """Samples, in a thread, the RSS (MB) of this process and of each child, and each child's CPU time."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval, self.self_mb, self.child_mb = interval, 0.0, 0.0
        self.cpu: dict[int, float] = {}  # child pid -> CPU seconds, last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def snapshot(self) -> dict[int, float]:
        """CPU seconds of each live child, now (and remember them)."""
        import psutil

        now: dict[int, float] = {}
        for child in self.proc.children(recursive=True):
            try:
                t = child.cpu_times()
                now[child.pid] = t.user + t.system
                self.child_mb = max(self.child_mb, child.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        self.cpu.update(now)
        return now

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                self.self_mb = max(self.self_mb, self.proc.memory_info().rss / 2**20)
                self.snapshot()
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- one configuration, in its own process ----------------------------------------------------

def run_config(name: str, corpus: Path) -> dict:
    from detente.ingest import iter_documents
    from detente.nlp import load_pipeline
    from detente.run.pipeline import _clean, actor_matcher, iter_coded, load_coder, single_thread_blas

    if name != "parse-blas":
        single_thread_blas()  # as the detente CLI does
    docs = list(iter_documents([str(corpus)]))
    texts = [_clean(d.text) for d in docs]
    t = time.perf_counter()
    nlp = load_pipeline()
    if name.startswith("code"):
        load_coder(None)  # what a worker loads at start (code-2's forked workers inherit it)
    load_s = time.perf_counter() - t
    result: dict = {"config": name, "docs": len(docs), "load_s": load_s, "startup_s": 0.0,
                    "load_avg": os.getloadavg()[0]}
    tokens = events = 0
    with PeakMemory() as mem:
        if name == "dask-2":
            from detente.run.cluster import PreloadPipeline, dask_client, iter_coded_dask

            t = time.perf_counter()
            with dask_client(None, 2) as client:  # what `--engine dask --workers 2` starts
                client.register_plugin(PreloadPipeline(None), name=PreloadPipeline.name)
                result["startup_s"] = time.perf_counter() - t
                base, cpu0, t = mem.snapshot(), time.process_time(), time.perf_counter()
                for _, evs in iter_coded_dask(docs, client):
                    events += len(evs)
                seconds, self_cpu, end = time.perf_counter() - t, time.process_time() - cpu0, mem.snapshot()
        else:
            base, cpu0, t = mem.snapshot(), time.process_time(), time.perf_counter()
            if name in ("parse", "parse-blas", "parse-2"):
                for doc in nlp.pipe(texts, batch_size=16, n_process=2 if name == "parse-2" else 1):
                    tokens += len(doc)
            elif name == "code-spacy-2":
                from detente.actors.recognize import DocumentActors
                from detente.events.code import code_doc
                from detente.run.pipeline import CODER

                matcher = actor_matcher(None)
                for doc, parsed in zip(docs, nlp.pipe(texts, batch_size=16, n_process=2)):
                    events += len(code_doc(parsed, doc, DocumentActors(parsed, matcher, doc.pub_date), CODER))
            else:
                for _, evs in iter_coded(docs, n_process=2 if name == "code-2" else 1):
                    events += len(evs)
            seconds, self_cpu = time.perf_counter() - t, time.process_time() - cpu0
            end = {}
    # CPU seconds each child spent in the timed region (children started in it begin at 0).
    workers = [cpu - base.get(pid, 0.0) for pid, cpu in {**mem.cpu, **end}.items()]
    workers = sorted((w for w in workers if w > 0.2), reverse=True)
    result.update(self_cpu=self_cpu, worker_cpu=workers, cpu_bound_s=cpu_bound(self_cpu, workers))
    result.update(
        seconds=seconds, tokens=tokens, events=events,
        peak_self_mb=mem.self_mb, peak_child_mb=mem.child_mb,
        ru_self_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        ru_children_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    return result


def cpu_bound(self_cpu: float, workers: list[float], cores: int = 2) -> float:
    """Wall time on an idle machine implied by the CPU times: no process faster than its own CPU
    time, and all of them together no faster than the cores allow."""
    return max([self_cpu, *workers, (self_cpu + sum(workers)) / cores])


def profile_coding(corpus: Path, n_docs: int = 120) -> str:
    """cProfile of parse + coding in one process: the top functions by own time."""
    from detente.ingest import iter_documents
    from detente.run.pipeline import iter_coded, load_coder

    docs = list(iter_documents([str(corpus)]))[:n_docs]
    load_coder(None)
    prof = cProfile.Profile()
    prof.enable()
    for _ in iter_coded(docs, n_process=1):
        pass
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    total = sum(v[2] for v in stats.stats.values())  # own time of every function
    by_area: dict[str, float] = {}
    for (file, _, _), v in stats.stats.items():
        area = ("detente.events" if "/detente/events/" in file else "detente.actors" if "/detente/actors/" in file
                else "detente (other)" if "/detente/" in file else "spacy/thinc/numpy" if any(
                    k in file for k in ("spacy", "thinc", "numpy", "srsly", "cymem", "preshed")) else "other")
        by_area[area] = by_area.get(area, 0.0) + v[2]
    lines = ["| where (own time) | seconds | share |", "|---|---:|---:|"]
    lines += [f"| {k} | {v:.2f} | {100 * v / total:.0f}% |" for k, v in sorted(by_area.items(), key=lambda kv: -kv[1])]
    rows = sorted(((v[2], v[3], f"{Path(f).name}:{ln} {fn}") for (f, ln, fn), v in stats.stats.items()
                   if "/detente/" in f), reverse=True)[:12]
    lines += ["", "Top detente functions by own time (cumulative in brackets):", ""]
    lines += [f"- `{name}`: {own:.2f} s ({cum:.2f} s)" for own, cum, name in rows]
    return "\n".join(lines)


# -- the report --------------------------------------------------------------------------------

def _best(runs: list[dict]) -> dict:
    """The run with the least CPU-bound time, with the best wall time of all runs beside it."""
    best = dict(min(runs, key=lambda r: r["cpu_bound_s"]))
    best["best_wall_s"] = min(r["seconds"] for r in runs)
    best["loads"] = [r.get("load_avg", 0.0) for r in runs]
    return best


LABELS = {"parse": "(a) bare spaCy parse, 1 process", "parse-blas": "(a') the same, OpenBLAS default threads",
          "parse-2": "(a'') bare spaCy parse, nlp.pipe n_process=2",
          "code-1": "(b) detente coding, 1 worker", "code-2": "(c) detente coding, 2 local workers",
          "code-spacy-2": "(c') alternative: nlp.pipe n_process=2, coding in the parent",
          "dask-2": "(d) detente coding, 2-worker Dask LocalCluster"}
PARALLEL = ("parse-2", "code-2", "code-spacy-2", "dask-2")


def report(results: dict[str, dict], n_docs: int, repeat: int, profile: str, load: float) -> str:
    tokens = results["parse"]["tokens"]
    cpu_rate = {k: r["docs"] / r["cpu_bound_s"] for k, r in results.items()}
    wall_rate = {k: r["docs"] / r["best_wall_s"] for k, r in results.items()}
    rows = ["| configuration | docs/s | tokens/s | docs/s measured (wall) | CPU s: main + workers | "
            "peak RSS main (MB) | peak RSS per worker (MB) | startup s |",
            "|---|---:|---:|---:|---|---:|---:|---:|"]
    for k in CONFIGS:
        r = results[k]
        worker = r["peak_child_mb"] if k in PARALLEL else r["peak_self_mb"]
        cpu = f"{r['self_cpu']:.1f}" + (" + " + " + ".join(f"{w:.1f}" for w in r["worker_cpu"]) if r["worker_cpu"] else "")
        rows.append(f"| {LABELS[k]} | {cpu_rate[k]:.1f} | {tokens / r['cpu_bound_s']:,.0f} | {wall_rate[k]:.1f} | "
                    f"{cpu} | {r['peak_self_mb']:.0f} | {worker:.0f} | {r['startup_s']:.1f} |")
    overhead = results["code-1"]["cpu_bound_s"] / results["parse"]["cpu_bound_s"] - 1
    wall_overhead = results["code-1"]["best_wall_s"] / results["parse"]["best_wall_s"] - 1
    speedup = cpu_rate["code-2"] / cpu_rate["code-1"]
    dask_speedup = cpu_rate["dask-2"] / cpu_rate["code-1"]
    parse_speedup = cpu_rate["parse-2"] / cpu_rate["parse"]
    spacy_speedup = cpu_rate["code-spacy-2"] / cpu_rate["code-1"]
    wall_speedup = wall_rate["code-2"] / wall_rate["code-1"]
    wall_dask = wall_rate["dask-2"] / wall_rate["code-1"]
    per_worker_mb = max([results[k]["peak_child_mb"] for k in ("code-2", "dask-2")] + [results["code-1"]["peak_self_mb"]])
    tok_per_doc = tokens / n_docs
    per_worker_docs = cpu_rate["dask-2"] / 2
    per_worker_tokens = per_worker_docs * tok_per_doc
    need_avg = DAILY_ARTICLES / 86_400
    need_tokens = need_avg * TYPICAL_TOKENS
    w_samples = need_avg * PEAK_FACTOR / (per_worker_docs * UTILISATION)
    w_typical = need_tokens * PEAK_FACTOR / (per_worker_tokens * UTILISATION)
    loads = [x for r in results.values() for x in r["loads"]]
    per_day = per_worker_tokens * 86_400 / TYPICAL_TOKENS
    events_per_doc = results["code-1"]["events"] / n_docs
    ok = lambda good: "met" if good else "**missed**"  # noqa: E731
    return f"""# detente throughput

Measured by `python benchmarks/throughput.py --docs {n_docs} --repeat {repeat}` on
{dt.date.today().isoformat()}: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()},
{_mem_total_gb():.0f} GB RAM. Corpus: {n_docs} documents varied from `samples/news.jsonl`,
{tokens:,} tokens ({tok_per_doc:.0f} per document). Model load in the main process: {load:.1f} s
(not in the times below). Each configuration ran {repeat} times in a fresh process.

The 1-minute load average was {min(loads):.1f} to {max(loads):.1f} during the runs (the benchmark itself
keeps up to 2 cores busy; anything above that is other jobs on the machine). So that shared-machine
noise does not decide the comparison, the main columns are **CPU-bound** rates: documents divided by
the wall time that the measured CPU times imply on an idle 2-core machine, max(main CPU, each
worker's CPU, total CPU / 2), from the run with the lowest such time. The best measured wall-clock
rate of the runs is shown beside them.

{chr(10).join(rows)}

"startup" is the Dask LocalCluster start with the model loaded on every worker (a worker plugin).
Local worker processes are forked, inside the timed region, from a process that has the model loaded.

## Targets

| target | CPU-bound | measured wall | |
|---|---:|---:|---|
| coding overhead over the bare parse <= 30% | {100 * overhead:+.0f}% | {100 * wall_overhead:+.0f}% | {ok(overhead <= 0.30)} |
| coding within 1.5x a bare parse, 1 worker (with the learned classifier) | {1 + overhead:.2f}x | {1 + wall_overhead:.2f}x | {ok(overhead <= 0.50)} |
| 2-worker speedup >= 1.7x (local) | {speedup:.2f}x | {wall_speedup:.2f}x | {ok(speedup >= 1.7)} |
| 2-worker speedup >= 1.7x (Dask) | {dask_speedup:.2f}x | {wall_dask:.2f}x | {ok(dask_speedup >= 1.7)} |
| peak memory per worker <= 1.5 GB | {per_worker_mb:.0f} MB | | {ok(per_worker_mb <= 1536)} |

For comparison, spaCy's own nlp.pipe(n_process=2) speeds up the bare parse {parse_speedup:.2f}x. Used
for coding (c'), it gives {spacy_speedup:.2f}x at 2 workers, but the parent then codes every document
and rebuilds every Doc from bytes ({results['code-spacy-2']['self_cpu']:.1f} s of CPU here, against {results['code-1']['self_cpu']:.1f} s for all of
code-1), so no number of workers can take it past about {results['code-1']['self_cpu'] / max(results['code-spacy-2']['self_cpu'], 1e-9):.1f}x. detente's workers
parse and code whole chunks and send back only the events (main process: {results['code-2']['self_cpu']:.1f} s), and the
Dask engine runs the same function. OpenBLAS's default of one thread per core (a') costs
{100 * (results['parse-blas']['cpu_bound_s'] / results['parse']['cpu_bound_s'] - 1):+.0f}% CPU on the same parse (the extra thread spins on small
matrices), so every detente process runs BLAS on one thread (detente.run.pipeline.single_thread_blas).

## Sizing: 250,000 articles a day

- Demand: {DAILY_ARTICLES:,} / 86,400 s = {need_avg:.2f} articles/s on average. Plan for {PEAK_FACTOR:.0f}x that
  (the busiest hours, catching up after an outage): {need_avg * PEAK_FACTOR:.1f} articles/s, with workers at
  most {100 * UTILISATION:.0f}% busy.
- Supply: one worker (1 core, 1 thread) codes {per_worker_docs:.1f} docs/s of these {tok_per_doc:.0f}-token
  documents, {per_worker_tokens:,.0f} tokens/s (CPU-bound 2-worker Dask rate / 2).
- At the samples' length: {need_avg * PEAK_FACTOR:.1f} / ({per_worker_docs:.1f} x {UTILISATION}) = {w_samples:.2f}
  -> **{_workers(w_samples)}**.
- At a typical article length of {TYPICAL_TOKENS} tokens: {need_tokens:,.0f} tokens/s on average,
  {need_tokens * PEAK_FACTOR:,.0f} at peak; {need_tokens * PEAK_FACTOR:,.0f} / ({per_worker_tokens:,.0f} x {UTILISATION}) = {w_typical:.2f}
  -> **{_workers(w_typical)}**. One worker codes {per_day:,.0f} such articles a day at full load.
- Memory: {math.ceil(w_typical)} x {per_worker_mb / 1024:.2f} GB = {math.ceil(w_typical) * per_worker_mb / 1024:.1f} GB
  plus the main process: the daily feed fits on one small machine (`detente ingest --workers {math.ceil(w_typical)}`).
- Backfills decide the cluster size, not the daily feed: re-coding a year of the feed
  ({365 * DAILY_ARTICLES / 1e6:.1f} M articles) takes {365 * DAILY_ARTICLES / per_day:.0f} worker-days, e.g.
  {365 * DAILY_ARTICLES / per_day / 16:.1f} days on 16 workers or {365 * DAILY_ARTICLES / per_day / 64:.1f} days on a 64-worker Dask cluster
  ({64 * per_worker_mb / 1024:.0f} GB of worker memory).
- The store side: the feed adds about {DAILY_ARTICLES * events_per_doc / 1e6:.1f} M events a day
  ({events_per_doc:.1f} per document here). A DuckDB batch commit of 29 documents (about 300 events)
  took 0.05 s, far below the coding time. The de-duplication pass that ends each ingest
  re-clusters only the blocks (event type, parties) that new or replaced events touch, at about
  1 s per 100,000 events in those blocks (a full re-cluster of a 1 M-event store took 13 s). Busy
  dyads make big blocks, so at this volume ingest in runs of thousands of documents, not one
  at a time.

## Where the time goes (cProfile, 1 process)

{profile}
"""


def _workers(n: float) -> str:
    k = max(1, math.ceil(n))
    return f"{k} worker" + ("s" if k > 1 else "")


def _mem_total_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "throughput.md"))
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--config", help=argparse.SUPPRESS)  # internal: run one configuration
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.config:
        print(json.dumps(run_config(args.config, Path(args.corpus))))
        return
    if args.profile:
        print(profile_coding(Path(args.corpus)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        build_corpus(args.docs, corpus)
        results: dict[str, dict] = {}
        for name in args.configs.split(","):
            runs = []
            for i in range(args.repeat):
                out = subprocess.run([sys.executable, __file__, "--config", name, "--corpus", str(corpus)],
                                     capture_output=True, text=True, check=True)
                run = json.loads(out.stdout.strip().splitlines()[-1])
                runs.append(run)
                print(f"{name} run {i + 1}: {run['docs'] / run['cpu_bound_s']:.1f} docs/s CPU-bound, "
                      f"{run['docs'] / run['seconds']:.1f} wall (load {run['load_avg']:.1f}), "
                      f"peak worker {max(run['peak_child_mb'], run['peak_self_mb']):.0f} MB", file=sys.stderr)
            results[name] = _best(runs)
        if set(results) != set(CONFIGS):  # a subset: raw numbers only
            print(json.dumps(results, indent=1))
            return
        load = results["code-1"]["load_s"]
        profile = subprocess.run([sys.executable, __file__, "--profile", "--corpus", str(corpus)],
                                 capture_output=True, text=True, check=True).stdout.strip()
    text = report(results, args.docs, args.repeat, profile, load)
    print(next(block for block in text.split("\n\n") if block.startswith("| configuration")))
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"-> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
