"""Postcode lookup benchmark: index build and load, memory, lookup latency, and the static site's shards.

The index is built into a temporary file in a child process (so the build's memory does not count against the
load), then loaded here. Lookups: 100,000 real postcodes drawn from the index (in mixed case and spacing), plus
malformed text, well-formed postcodes that are not in the directory, and outward codes alone.
Targets: build well under a minute, load well under a second, RSS < 100 MB, lookup p99 ≤ 5 ms.
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = 100_000
OTHERS = 2_000


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ombuds.registry.postcodes", "build", "--path", str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def spelled(outward: str, inward: str, rng: random.Random) -> str:
    """The same postcode as a person might type it."""
    text = rng.choice([f"{outward} {inward}", f"{outward}{inward}", f" {outward}  {inward} "])
    return text.lower() if rng.random() < 0.5 else text


def queries(index, rng: random.Random) -> dict[str, list[str]]:
    from ombuds.registry.postcodes import _INWARDS, INWARD_SPAN

    keys = index.keys[rng.sample(range(len(index)), SAMPLES)].tolist()
    real = [spelled(index.outwards[key // INWARD_SPAN], _INWARDS[key % INWARD_SPAN], rng) for key in keys]
    known = set(index.keys.tolist())
    unknown = []
    while len(unknown) < OTHERS:
        number, inward = rng.randrange(len(index.outwards)), rng.randrange(INWARD_SPAN)
        if number * INWARD_SPAN + inward not in known:
            unknown.append(f"{index.outwards[number]} {_INWARDS[inward]}")
    junk = ["", "12345", "SG1 1A", "x" * 200, "Stevenage", "SG1 1AAA", "1SG 1AA", "SG1-1AA"]
    malformed = [rng.choice(junk) for _ in range(OTHERS)]
    outward = [rng.choice(index.outwards) for _ in range(OTHERS)]
    return {"real postcodes": real, "not in directory": unknown, "malformed": malformed, "outward code alone": outward}


def timed(lookup, texts: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per lookup: on a busy machine the wall p99 shows the scheduler's 4 ms slices."""
    wall, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        lookup(text)
        wall.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
    return sorted(wall), sorted(cpu)


def percentile(times: list[float], share: float) -> float:
    return times[min(len(times) - 1, int(len(times) * share))]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "postcodes-index.bin"
        build_seconds = build(path)
        os.environ["OMBUDS_POSTCODE_INDEX"] = str(path)
        from ombuds.registry import registry_of
        from ombuds.registry.postcodes import lookup_postcode, postcode_index, postcode_shards
        from ombuds.schemes import load_scheme

        scheme = load_scheme("lgsco")
        councils = registry_of(scheme)

        def lookup(text: str):
            return lookup_postcode(text, councils, scheme.elsewhere)

        before = rss_mb()
        started = time.perf_counter()
        index = postcode_index()
        lookup("SG1 1AA")
        load_seconds = time.perf_counter() - started
        memory = rss_mb() - before
        sets = queries(index, random.Random(2017))
        results = {name: timed(lookup, texts) for name, texts in sets.items()}
        started = time.perf_counter()
        sizes = [len(json.dumps(shard, separators=(",", ":"))) for _, shard in postcode_shards(councils)]
        shard_seconds = time.perf_counter() - started
        size = path.stat().st_size
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nombuds postcode lookup benchmark ({machine}): {len(index):,} postcodes, "
          f"{len(index.outwards):,} outward codes")
    print(f"index: {size / 1e6:.2f} MB on disk, built in {build_seconds:.1f} s, "
          f"loaded in {load_seconds * 1000:.0f} ms, RSS +{memory:.0f} MB")
    print(f"shards: {len(sizes):,} files, {sum(sizes) / 1e6:.1f} MB of JSON (largest {max(sizes) / 1e3:.1f} kB), "
          f"made in {shard_seconds:.1f} s")
    print(f"\n{'lookups':<20} {'count':>8} {'p50':>10} {'p99':>10} {'max':>10} {'CPU p99':>10}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<20} {len(wall):>8,} {percentile(wall, 0.5):>7.4f} ms {percentile(wall, 0.99):>7.4f} ms "
              f"{wall[-1]:>7.3f} ms {percentile(cpu, 0.99):>7.4f} ms")


if __name__ == "__main__":
    main()
