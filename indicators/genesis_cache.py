"""The computed value rows of a GENESIS import, kept on disk by the hash of what made them.

Parsing the 25 Regionaldatenbank tables and summing them up to Kreise, Länder and the Bund
takes most of an import (~40 s on the shared 2-core machine); the result depends only on the
files' bytes, the mapping lines that read them and this code — not on the database. So the
computed rows (every indicator's value for every key and year of the files, before the rows
are matched to the loaded areas) are kept under a key made of exactly these: the sha256 of
every file, the mapping lines, the Kreis-row pairs, the column lists of the tables and the
bytes of the modules that compute them (genesis.py, genesis_import.py, this one). Any change
of any of them is another key; nothing else can make a kept result stale.

An earlier attempt kept the parsed cells (720,000 objects for one table): reading them back
cost 60 % of a parse, since making the objects is the cost. The rows kept here are the end of
the computation, as plain tuples, and fewer (one per indicator, key and year).

The folder is the setting CACHE_DIR (default: `cache/` in the instance folder); only the newest
KEEP files stay. A file that cannot be read is ignored (computed anew and replaced). Pickle:
the folder is the app's own, written only by it, as trusted as its code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CACHE_VERSION = 1
KEEP = 6
CODE = tuple(
    Path(__file__).parent / name for name in ("genesis.py", "genesis_import.py", "genesis_cache.py")
)

# One computed value: (ags, year, value, numerator, denominator, flag, parts).
Row = tuple[str, int, float | None, float | None, float | None, str | None, str]


@dataclass(frozen=True)
class TableMeta:
    """What the import needs of a parsed table besides its sums: names, notes, keys."""

    code: str
    file: str
    footer: str
    stand: str | None
    skipped: list[tuple[str, str, str]]  # (key, name, why)
    keys: list[tuple[str, str, str]]  # distinct (ags, level, name), in file order


@dataclass
class Computed:
    """The rows of every mapping line (same order as the lines) and the tables' metadata."""

    tables: dict[str, TableMeta]
    rows: list[list[Row]]
    kreis_rows: int = 0
    cached: bool = field(default=False, compare=False)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def cache_key(paths: Iterable[Path], parts: Sequence[object]) -> str:
    """The key of a computation: the files' bytes (in the order given), the parts' repr (the
    mapping lines, pairs, column lists) and the computing code's bytes."""
    h = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    for p in paths:
        h.update(b"\0file\0" + file_digest(Path(p)).encode())
    for part in parts:
        h.update(b"\0part\0" + repr(part).encode())
    for code in CODE:
        h.update(b"\0code\0" + code.read_bytes())
    return h.hexdigest()[:40]


class ComputedCache:
    """Computed results by key in a folder (atomic writes; the newest KEEP files stay)."""

    def __init__(self, folder: Path, keep: int = KEEP):
        self.folder = Path(folder)
        self.keep = keep

    def _path(self, key: str) -> Path:
        return self.folder / f"genesis-{key}.pickle"

    def get(self, key: str) -> Computed | None:
        """The kept result, or None (none kept, or unreadable: then it is computed anew)."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                got = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        if not isinstance(got, Computed):
            return None
        os.utime(path)  # recently used: kept longer than the others
        got.cached = True
        return got

    def put(self, key: str, computed: Computed) -> None:
        """Keep a result (best effort: a folder that cannot be written keeps nothing)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".genesis-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(computed, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(key))
        except OSError:
            return
        self._prune()

    def _prune(self) -> None:
        files = sorted(
            self.folder.glob("genesis-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in files[self.keep :]:
            old.unlink(missing_ok=True)
