"""Memory a matching run will need, checked against the machine before anything is built,
so a cohort too large for this machine is refused with a clear message instead of failing
half-way with an allocation error."""

from __future__ import annotations

import os

from .errors import MatchingError

# Bytes per cell of an n × n dense circle run: the solver's float64 copy of the weights,
# its mask of forbidden pairs and, up to 4,000 people, a blocked copy for annealing.
DENSE_CIRCLE_BYTES_PER_CELL = 18
# Bytes per candidate pair while a candidate graph is built and used (edges in both
# directions, their sort, the adjacency) and the fixed cost of one window of the sparse
# circle path (its dense block and searches) and of scoring blocks.
GRAPH_BYTES_PER_PAIR = 96
WINDOW_BYTES = 400 * 2**20
# Bytes per person and topic of the scoring layer's wants and offers (float32, a few copies).
SCORER_BYTES_PER_TOPIC = 40
# Share of the available memory a run may plan to use.
USABLE_SHARE = 0.9


def available_bytes() -> int:
    """Memory available to this process now (Linux: MemAvailable), else physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 2**63


def dense_circles_bytes(n: int) -> int:
    return DENSE_CIRCLE_BYTES_PER_CELL * n * n


def dense_matrix_bytes(n: int) -> int:
    """One float64 n × n score matrix."""
    return 8 * n * n


def sparse_circles_bytes(n: int, partners: int, topics: int = 100) -> int:
    return GRAPH_BYTES_PER_PAIR * n * partners + SCORER_BYTES_PER_TOPIC * n * topics + WINDOW_BYTES


def check_memory(needed: int, what: str, available: int | None = None) -> None:
    """Raise a MatchingError when ``needed`` bytes exceed what this machine can give."""
    have = available_bytes() if available is None else available
    if needed > USABLE_SHARE * have:
        raise MatchingError(
            f"{what} would need about {_gib(needed)} of memory, but this machine has "
            f"{_gib(have)} available. Match a smaller group at a time (for example one "
            "department or location per run), or run on a machine with more memory."
        )


def _gib(size: int) -> str:
    return f"{size / 2**30:,.1f} GiB"
