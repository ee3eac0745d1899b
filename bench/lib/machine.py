"""What the benchmark reports say about the machine and the tree: shared by bench/*.py."""
import subprocess


def sh(*argv):
    """A command's trimmed stdout, or `?` when it cannot run or fails."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(r.split(":", 1)[1].strip() for r in f if r.startswith("model name"))
    except (OSError, StopIteration):
        return "?"


def mem_total_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = next(int(r.split()[1]) for r in f if r.startswith("MemTotal:"))
        return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        return "?"


def mib(kib):
    return f"{kib / 1024:.1f}"
