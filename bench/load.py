"""`make bench`: publication day. `ombuds serve` on loopback under wrk for 60 s at 200 connections on a mix of
council pages (every council's 2023-24 page, its latest-year redirect, its API record, the national page); while
the load runs, an `ombuds import` (new 2022-23 decisions) and an `ombuds release publish` (2024-25, frozen
beforehand) complete. The server opens the database read-only and must pick both up (its data version) without
a failed request.

Targets on the 2-core reference machine: zero errors (non-2xx/3xx responses, socket errors, timeouts); the import
and the publish succeed; the published year is served within 5 s of the publish.

Then junk: JUNK_SECONDS of unique junk council addresses and unique searches (every request a new address); the
server's memory (resident set) must stay flat, within JUNK_GROWTH_MB, since neither is kept.
"""

from __future__ import annotations

import csv
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from serving import free_port, wait_for

OMBUDS = str(Path(sys.executable).parent / "ombuds")
SECONDS, CONNECTIONS = 60, 200
IMPORT_AT, PUBLISH_AT = 15, 35  # seconds into the load
JUNK_SECONDS, JUNK_GROWTH_MB = 20, 10
JUNK_LUA = """
counter = 0
request = function()
  counter = counter + 1
  if counter % 2 == 0 then
    return wrk.format("GET", "/councils/junk-" .. counter .. "-" .. math.random(1e9) .. "/2023-24/")
  end
  return wrk.format("GET", "/search/?q=junk" .. counter .. "-" .. math.random(1e9))
end
"""
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def ombuds(db: str, *args: str) -> tuple[int, float, str]:
    """Run one ombuds command: (exit status, seconds, its last line of output)."""
    started = time.perf_counter()
    done = subprocess.run([OMBUDS, "--db", db, *args], capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, time.perf_counter() - started, output[-1] if output else ""


def prepare(folder: Path) -> tuple[str, Path]:
    """The demo's synthetic data imported; 2024-25 frozen (not published); a file of new 2022-23 decisions kept
    back for the import during the load. Not 2023-24's: those would change 2024-25's comparison with the year before,
    which its release froze, and the publish would rightly be refused (issue 18)."""
    from ombuds.demo import generate
    from ombuds.schemes import load_scheme

    db = f"sqlite:///{folder / 'load.db'}"
    files = generate(folder / "data", load_scheme("lgsco"), seed=2017)
    status, seconds, last = ombuds(db, "import", *map(str, files.paths.values()))
    if status:
        sys.exit(f"the demo import failed: {last}")
    print(f"  imported the demo data in {seconds:.1f} s")
    status, seconds, last = ombuds(db, "release", "create", "--year", "2024-25")
    if status:
        sys.exit(f"release create failed: {last}")
    print(f"  release create 2024-25: {seconds:.1f} s")
    extra = folder / "late-decisions.csv"
    with open(extra, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["reference", "authority", "decision_date", "outcome", "satisfactory_remedy",
                         "remedied_by_ombudsman"])
        for n, name in enumerate(("Stevenage", "Kent", "Birmingham", "Allerdale", "Leeds") * 20):
            writer.writerow([f"LATE-{n:05d}", name, "2023-01-15", "Upheld", "no", "no"])
    return db, extra


def page_mix() -> list[str]:
    from ombuds.registry import registry_of
    from ombuds.schemes import load_scheme
    from ombuds.years import Year

    year = Year.parse("2023-24")
    lgsco = registry_of(load_scheme("lgsco"))
    councils = [a for a in lgsco if a.current_in(year) and a.has_type_average]
    paths = [f"/councils/{a.slug}/2023-24/" for a in councils]
    paths += [f"/councils/{a.slug}/" for a in councils[::4]]
    paths += [f"/api/statistics/2023-24/{a.code}.json" for a in councils[::4]]
    return [*paths, "/national/2023-24/", "/"]


def status_of(url: str) -> int:
    """The HTTP status of one request; 0 when none came back in 5 s (the server is busy: ask again)."""
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, TimeoutError):
        return 0


def parse_wrk(out: str) -> dict:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out)[1])
    return {"rate": rate, "p99": float(p99[1]) * scale, "socket_errors": socket_errors,
            "bad_status": int(bad[1]) if bad else 0, "requests": total}


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: 'make bench' installs it (scripts/ensure-system.sh wrk)")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="ombuds-bench-load-") as tmp:
        folder = Path(tmp)
        db, extra = prepare(folder)
        paths = page_mix()
        script = folder / "mix.lua"
        script.write_text(LUA % ", ".join(f'"{p}"' for p in paths), encoding="utf-8")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([OMBUDS, "--db", db, "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
        try:
            wait_for(base + "/")
            for path in paths:  # warm the rendered-page cache, as the first visitors would
                urllib.request.urlopen(base + path, timeout=30).read()
            embargoed = f"{base}/councils/stevenage-borough-council/2024-25/"
            before = status_of(embargoed)
            cpu_before = _cpu_seconds(server.pid)
            started = time.monotonic()
            load = subprocess.Popen(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout",
                                     "5s", "-s", str(script), base], stdout=subprocess.PIPE, text=True)
            time.sleep(IMPORT_AT)
            imported = ombuds(db, "import", str(extra))
            time.sleep(max(0.0, PUBLISH_AT - (time.monotonic() - started)))
            published = ombuds(db, "release", "publish", "--year", "2024-25")
            publish_done = time.monotonic()
            while status_of(embargoed) != 200 and time.monotonic() - publish_done < 30:
                time.sleep(0.1)
            seen_after = time.monotonic() - publish_done
            out, _ = load.communicate(timeout=SECONDS + 120)
            server_cpu = _cpu_seconds(server.pid) - cpu_before
            junk = junk_load(folder, base, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = parse_wrk(out)
    errors = result["socket_errors"] + result["bad_status"]
    print(out)
    print(f"| measure ({SECONDS} s, {CONNECTIONS} connections, {len(paths)} paths) | result | target |")
    print("|---|---|---|")
    print(f"| requests/s | {result['rate']:,.0f} | |")
    print(f"| p99 latency | {result['p99']:.1f} ms | |")
    print(f"| requests | {result['requests']:,} | |")
    print(f"| errors (non-2xx/3xx {result['bad_status']}, socket {result['socket_errors']}) | {errors} | 0 |")
    print(f"| import during the load | exit {imported[0]}, {imported[1]:.1f} s: {imported[2]} | exit 0 |")
    print(f"| release publish during the load | exit {published[0]}, {published[1]:.1f} s: {published[2]} | "
          "exit 0 |")
    print(f"| 2024-25 page before the publish / served after it | {before} / {seen_after:.1f} s | 404 / ≤ 5 s |")
    print(f"| server CPU time during the load | {server_cpu:.1f} s | |")
    print(f"| junk addresses and searches: requests, server memory before → after | {junk[0]:,}, {junk[1]:.0f} → "
          f"{junk[2]:.0f} MB | flat (≤ +{JUNK_GROWTH_MB} MB) |")
    if errors or imported[0] or published[0] or before != 404 or seen_after > 5 or junk[2] - junk[1] > JUNK_GROWTH_MB:
        sys.exit(1)


def junk_load(folder: Path, base: str, pid: int) -> tuple[int, float, float]:
    """JUNK_SECONDS of unique junk addresses and searches: (requests, resident MB before, after)."""
    script = folder / "junk.lua"
    script.write_text(JUNK_LUA, encoding="utf-8")
    before = resident_mb(pid)
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{JUNK_SECONDS}s", "--timeout", "5s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+) requests in", out)[1]), before, resident_mb(pid)


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
