"""What the benchmark scripts share: where the large company lives, how it is made, the machine.

Everything big goes under $SALESMGMT_BENCH_DIR (default /tmp/salesmgmt-bench), never into the
repository.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = Path(os.environ.get("SALESMGMT_BENCH_DIR", "/tmp/salesmgmt-bench"))
#: The large company's "today": fixed, so every run measures the same data.
AS_OF = date(2026, 11, 27)
SEED = 7
LARGE_DB = BENCH_DIR / "large.duckdb"


def large_db(log=print) -> Path:
    """The large demo company, generated once (`demo --scale large`) and reused."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not LARGE_DB.exists():
        log(f"generating the large company into {LARGE_DB} (a few minutes)...")
        started = time.perf_counter()
        tmp = LARGE_DB.with_suffix(".part.duckdb")
        for stale in (tmp, Path(str(tmp) + ".wal")):
            stale.unlink(missing_ok=True)
        _write_demo(tmp, "--scale", "large")
        shutil.move(tmp, LARGE_DB)
        log(f"  generated in {time.perf_counter() - started:.0f} s")
    return LARGE_DB


def standard_db() -> Path:
    """The standard demo company at the same as-of: the reference for what scale costs."""
    path = BENCH_DIR / "standard.duckdb"
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        _write_demo(path)
    return path


def _write_demo(path: Path, *options: str) -> None:
    """Write the demo company (at AS_OF, from SEED) into `path` with the demo command."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "salesmgmt",
            "demo",
            *options,
            "--db",
            str(path),
            "--as-of",
            AS_OF.isoformat(),
            "--seed",
            str(SEED),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def machine() -> str:
    """One line about the machine the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at start"
    import duckdb
    import pandas as pd

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}{load}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}"
    )
