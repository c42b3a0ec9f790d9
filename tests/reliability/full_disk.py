"""A disk with only so many bytes free, for the files opened for writing under one directory.

Python cannot fill a real filesystem without root (no tmpfs of our own), so this wraps the file objects that
`open`, `io.open` and `os.fdopen` return for writing under `root`: each buffers like Python's own (8 KiB), and
a flush that needs more room than is left writes what fits and raises ENOSPC, as a full disk does; `close`
flushes first and closes the descriptor even when that flush fails. Files elsewhere are left alone.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path
from typing import Any

BUFFER = 8192


class Disk:
    """`free`: bytes that can still be written under `root`; `None`: unlimited (only counts what is written)."""

    def __init__(self, root: Path, free: int | None) -> None:
        self.root = Path(root).resolve()
        self.free = free
        self.written = 0

    def take(self, n: int) -> int:
        """Room for up to `n` bytes: how many fit."""
        fits = n if self.free is None else min(n, self.free)
        if self.free is not None:
            self.free -= fits
        self.written += fits
        return fits


class _FullDiskFile:
    def __init__(self, real: Any, disk: Disk) -> None:
        self._real, self._disk, self._pending = real, disk, ""

    def write(self, text: str) -> int:
        self._pending += text
        if len(self._pending) >= BUFFER:
            self._flush_pending()
        return len(text)

    def _flush_pending(self) -> None:
        data, self._pending = self._pending, ""
        fits = self._disk.take(len(data))
        self._real.write(data[:fits])
        self._real.flush()
        if fits < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        self._flush_pending()

    def close(self) -> None:
        try:
            if not self._real.closed:
                self._flush_pending()
        finally:
            self._real.close()

    def __enter__(self) -> _FullDiskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _under(path: Any, root: Path) -> bool:
    try:
        return Path(os.fspath(path)).resolve().is_relative_to(root)
    except TypeError:
        return False


def install(monkeypatch: Any, root: Path, free: int | None) -> Disk:
    """Patch `open`, `io.open` and `os.fdopen` (undone by `monkeypatch`): writes under `root` use `free` bytes."""
    disk = Disk(root, free)
    real_open, real_fdopen = builtins.open, os.fdopen

    def writing(mode: str) -> bool:
        return any(c in mode for c in "wax+") and "b" not in mode

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, mode, *args, **kwargs)
        return _FullDiskFile(fh, disk) if writing(mode) and not isinstance(file, int) and _under(file, disk.root) \
            else fh

    def fake_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_fdopen(fd, mode, *args, **kwargs)
        target = os.readlink(f"/proc/self/fd/{fd}")
        return _FullDiskFile(fh, disk) if writing(mode) and _under(target, disk.root) else fh

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "fdopen", fake_fdopen)
    return disk
