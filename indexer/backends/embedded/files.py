"""The embedded index on disk: checksummed snapshots and logs behind one commit point.

Layout of ``<path>/<kind>/`` (after Lucene's segments: immutable files, one commit
point replaced by an atomic rename, a checksum on every file):

- ``CURRENT``: ``<generation> <uid> <crc32>``, the commit point. A reader sees a whole
  generation or none; the uid tells a generation from one of the same number made after
  the directory was wiped.
- ``snap-<gen>/``: a snapshot: one ``.npy`` file per array, the projections in
  ``sources.bin``, and ``manifest.json`` naming every file with its size and CRC-32
  (the manifest carries a checksum of its own).
- ``log-<gen>.log``: the writes since that snapshot. A header line, then one line per
  write batch, ``<crc32 hex> <json>``: a reader applies whole batches only, so it never
  sees half a write, and a torn last line (a writer killed mid-write) is ignored by
  readers and cut off by the next writer.
- ``LOCK``: writers serialise on it (flock); readers take no lock.
"""
import json
import os
import zlib
from pathlib import Path

import numpy as np
import orjson

from ...errors import IndexDamaged, IndexOutdated

# 4: per-row columns of the eligibility filters (licences, minimum education, partner).
FORMAT = 4
MANIFEST = "manifest.json"
_CHUNK = 4 << 20


def file_crc(path):
    """CRC-32 of a whole file, read in chunks."""
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def fsync_path(path):
    """Flush a file's or a directory's entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def generation_of(name):
    """The generation number in a snapshot or log file name, or None."""
    for prefix in ("snap-", "log-"):
        if name.startswith(prefix):
            digits = name[len(prefix):].split(".")[0]
            return int(digits) if digits.isdigit() else None
    return None


# -- the commit point -------------------------------------------------------------------

def read_current(directory):
    """(generation, uid) named by ``CURRENT``, or (0, None) before the first write."""
    try:
        raw = (directory / "CURRENT").read_text()
    except FileNotFoundError:
        return 0, None
    parts = raw.split()
    if len(parts) == 1 and parts[0].isdigit():
        raise IndexOutdated(f"the embedded index in {directory} was written by an older "
                            "version of Vững Bước (rebuild it: `indexer reindex`)")
    if len(parts) != 3 or f"{zlib.crc32(f'{parts[0]} {parts[1]}'.encode()):08x}" != parts[2]:
        raise IndexDamaged(f"{directory / 'CURRENT'} is damaged")
    return int(parts[0]), parts[1]


def write_current(directory, gen, uid):
    """Make (gen, uid) the commit point: written aside, flushed, renamed over CURRENT."""
    body = f"{gen} {uid}"
    tmp = directory / "CURRENT.tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{body} {zlib.crc32(body.encode()):08x}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, directory / "CURRENT")
    fsync_path(directory)


# -- snapshots --------------------------------------------------------------------------

def finish_snapshot(directory, meta, known=None):
    """Write the manifest of the files in ``directory`` (sizes, CRC-32) and flush it all.

    ``known`` gives [size, CRC-32] of files whose writer summed them as it wrote them
    (``ChecksummedFile``), so that they are not read back."""
    files = {}
    for path in sorted(directory.iterdir()):
        files[path.name] = (known or {}).get(path.name) or [path.stat().st_size,
                                                            file_crc(path)]
        fsync_path(path)
    manifest = {**meta, "format": FORMAT, "files": files}
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    (directory / MANIFEST).write_text(json.dumps(
        {"manifest": manifest, "crc32": zlib.crc32(body.encode())}, ensure_ascii=False))
    fsync_path(directory / MANIFEST)
    fsync_path(directory)


class ChecksummedFile:
    """A file written from the start, summing its size and CRC-32 as it goes; ``close``
    records them in ``known`` under the file's name (for ``finish_snapshot``)."""

    def __init__(self, path, known):
        self.path, self.known = Path(path), known
        self._fh, self.size, self.crc = open(path, "wb"), 0, 0

    def write(self, data):
        """Write bytes or a contiguous array."""
        view = memoryview(data).cast("B")
        self.crc = zlib.crc32(view, self.crc)
        self.size += len(view)
        return self._fh.write(view)

    def close(self):
        if not self._fh.closed:
            self._fh.close()
            self.known[self.path.name] = [self.size, self.crc]


def read_manifest(directory):
    """The verified manifest of a snapshot: its own checksum, the format, every file's size."""
    path = directory / MANIFEST
    if not path.exists() and (directory / "meta.json").exists():
        raise IndexOutdated(f"the embedded index in {directory.parent} was written by an "
                            "older version of Vững Bước (rebuild it: `indexer reindex`)")
    try:
        outer = json.loads(path.read_text())
        manifest = outer["manifest"]
        body = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
        intact = zlib.crc32(body.encode()) == outer["crc32"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(f"{path} is damaged: {exc}") from None
    if not intact:
        raise IndexDamaged(f"{path} is damaged (checksum mismatch)")
    if manifest.get("format") != FORMAT:
        raise IndexOutdated(f"snapshot format {manifest.get('format')}, expected {FORMAT}: "
                            "rebuild the index (`indexer reindex`)")
    for name, (size, _) in manifest["files"].items():
        try:
            actual = (directory / name).stat().st_size
        except FileNotFoundError:
            raise IndexDamaged(f"{directory / name} is missing") from None
        if actual != size:
            raise IndexDamaged(f"{directory / name} has {actual} bytes, expected {size}")
    return manifest


def load_array(directory, manifest, name):
    """An ``.npy`` array of the snapshot, read whole and checked against its CRC-32."""
    fname = f"{name}.npy"
    raw = (directory / fname).read_bytes()
    size, crc = manifest["files"][fname]
    if len(raw) != size or zlib.crc32(raw) != crc:
        raise IndexDamaged(f"{directory / fname} is damaged (checksum mismatch)")
    header = _npy_header(raw, directory / fname)
    return np.frombuffer(raw, header[0], offset=header[1]).copy()


def _npy_header(raw, path):
    """(dtype, data offset) of an .npy file's bytes."""
    import io
    fh = io.BytesIO(raw[:4096])
    try:
        version = np.lib.format.read_magic(fh)
        _, _, dtype = (np.lib.format.read_array_header_1_0(fh) if version == (1, 0)
                       else np.lib.format.read_array_header_2_0(fh))
    except ValueError as exc:
        raise IndexDamaged(f"{path} is damaged: {exc}") from None
    return np.dtype(dtype), fh.tell()


class StoredArray:
    """One file of a snapshot, read in pieces with ``pread`` (an ``.npy`` array, or raw bytes).

    Neither the posting lists nor the projections are mapped into the process: they
    stay in the page cache, shared by every worker, and a worker's memory holds only
    what it reads (a mapping would fault in 64 KB around every small column it touches).
    """

    def __init__(self, directory, manifest, fname, raw=False):
        self.path = directory / fname
        self.size, self.crc = manifest["files"][fname]
        self.offset, self.dtype = 0, np.dtype(np.uint8)
        self.fd = os.open(self.path, os.O_RDONLY)
        if not raw:
            self.dtype, self.offset = _npy_header(os.pread(self.fd, 4096, 0), self.path)

    def check(self):
        """Raise IndexDamaged when the file no longer has the size it was written with."""
        size = os.fstat(self.fd).st_size
        if size != self.size:
            raise IndexDamaged(f"{self.path} has {size} bytes, expected {self.size}")

    def verify(self):
        """Read the whole file and compare its CRC-32 with the manifest's."""
        if file_crc(self.path) != self.crc:
            raise IndexDamaged(f"{self.path} is damaged (checksum mismatch)")

    def bytes(self, start, end):
        """Raw bytes ``start:end`` (in bytes) of the data."""
        if end <= start:
            return b""
        out = os.pread(self.fd, int(end - start), self.offset + int(start))
        if len(out) != end - start:
            raise IndexDamaged(f"{self.path} is shorter than its index says")
        return out

    def spans(self, starts, ends):
        """The elements of every span ``start:end`` (in elements), one after another."""
        size = self.dtype.itemsize
        out = np.empty(int(np.sum(ends) - np.sum(starts)), self.dtype)
        view, pos = memoryview(out).cast("B"), 0
        for start, end in zip(starts, ends):
            n = (end - start) * size
            if n:
                if os.preadv(self.fd, [view[pos:pos + n]], self.offset + start * size) != n:
                    raise IndexDamaged(f"{self.path} is shorter than its index says")
                pos += n
        return out

    def load(self):
        """The whole array, in memory, checked against its CRC-32."""
        raw = self.path.read_bytes()
        if len(raw) != self.size or zlib.crc32(raw) != self.crc:
            raise IndexDamaged(f"{self.path} is damaged (checksum mismatch)")
        return np.frombuffer(raw, self.dtype, offset=self.offset).copy()

    def close(self):
        """Close the file."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self):
        self.close()


# -- logs -------------------------------------------------------------------------------

def log_path(directory, gen):
    """The log of generation ``gen``."""
    return directory / f"log-{gen}.log"


def _line(payload):
    data = orjson.dumps(payload)
    return b"%08x " % zlib.crc32(data) + data + b"\n"


def create_log(path, gen, uid):
    """A new log holding only its header (fails if one exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, _line({"log": FORMAT, "gen": gen, "uid": uid}))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_log(path, offset, gen, uid):
    """(batches, new offset): the whole batches written after ``offset``.

    A complete line whose checksum fails, or a header of another generation, raises
    IndexDamaged; a last line without its newline (still being written, or torn by a
    killed writer) is left for later.
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        chunk = fh.read()
    end = chunk.rfind(b"\n") + 1
    batches, pos = [], 0
    for line in chunk[:end].split(b"\n")[:-1]:
        at = offset + pos
        pos += len(line) + 1
        crc, _, data = line.partition(b" ")
        try:
            intact = int(crc, 16) == zlib.crc32(data)
            payload = orjson.loads(data) if intact else None
        except ValueError:
            intact = False
        if not intact:
            raise IndexDamaged(f"{path} is damaged at byte {at} (checksum mismatch)")
        if at == 0:
            if payload.get("log") != FORMAT or payload.get("gen") != gen \
                    or payload.get("uid") != uid:
                raise IndexDamaged(f"{path} does not belong to generation {gen}")
            continue
        batches.append(payload["ops"])
    if offset == 0 and end == 0:
        raise IndexDamaged(f"{path} has no header")
    return batches, offset + end


def append_log(path, offset, ops):
    """Append one batch at ``offset`` (the end of the last whole line); returns the new end.

    Only a writer holding the lock calls this. Bytes past ``offset`` are a torn line
    left by a killed writer and are cut off first. A failed or short write (a full
    disk) is cut off too, so the log stays whole, and raises OSError.
    """
    line = _line({"ops": ops})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)  # never creates: the log must exist
    try:
        size = os.fstat(fd).st_size
        if size < offset:
            raise IndexDamaged(f"{path} is shorter ({size} bytes) than what was read of it")
        if size > offset:
            os.ftruncate(fd, offset)
        try:
            written = os.write(fd, line)
        except OSError:
            os.ftruncate(fd, offset)
            raise
        if written != len(line):
            os.ftruncate(fd, offset)
            raise OSError(28, "No space left on device (short write)", str(path))
        return offset + len(line)
    finally:
        os.close(fd)


def verify_log(path, gen, uid):
    """Read a whole log and check every line's checksum; returns the number of batches."""
    batches, _ = read_log(path, 0, gen, uid)
    return len(batches)


__all__ = ["FORMAT", "Path", "StoredArray", "append_log", "create_log", "finish_snapshot",
           "fsync_path", "generation_of", "load_array", "log_path", "read_current",
           "read_log", "read_manifest", "verify_log", "write_current"]
