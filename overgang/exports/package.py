"""Opening an interchange package — a directory or a ``.zip`` of its files — for reading.

Nothing here writes to the file system: a zip is read member by member straight from
the archive, so a member name like ``../../etc/passwd`` is only ever a name (and is
refused because it holds a folder). Zip bombs are bounded before anything is
decompressed: the number of members, their declared total size and the compression
ratio; ``zipfile`` itself never yields more bytes than a member declares.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from .problems import problem

FILES = ("manifest.json", "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv")
MAX_MEMBERS = 32
MAX_RATIO = 1000  # uncompressed / compressed size of one member


class PackageError(Exception):
    """The package cannot be opened at all; ``problems`` says why."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class _Counting(io.RawIOBase):
    """A byte stream that adds what it reads to the package's progress counter."""

    def __init__(self, raw, package):
        self._raw, self._package = raw, package

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._package.bytes_read += len(data)
        return len(data)

    def close(self):
        self._raw.close()
        super().close()


class Package:
    """The files of one package: ``names``, ``size(name)`` and ``open_text(name)``.

    Raises PackageError when the path is no package or a bound is exceeded. Extra and
    misplaced members are not refused here; the reader reports them as problems.
    """

    def __init__(self, path, *, max_bytes: int = 20 * 1024**3, label: str | None = None):
        self.path = Path(path)
        # How problems name the package itself: the uploaded file's own name in the web
        # application, never the server's temporary file.
        self.label = label or self.path.name
        self.bytes_read = 0
        self._zip = None
        self._sizes: dict[str, int] = {}
        self.subfolders: list[str] = []
        if self.path.is_dir():
            for entry in sorted(self.path.iterdir()):
                if entry.is_file() and not entry.is_symlink():
                    self._sizes[entry.name] = entry.stat().st_size
                else:
                    self.subfolders.append(entry.name)
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self._open_zip(max_bytes)
        else:
            raise PackageError([problem(self.label, None, "", "not_a_package")])
        if sum(self._sizes.values()) > max_bytes:
            self.close()
            raise PackageError([problem(self.label, None, "", "too_large")])

    def _open_zip(self, max_bytes):
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError):
            raise PackageError([problem(self.label, None, "", "bad_zip")]) from None
        total = sum(info.file_size for info in infos)
        too_packed = any(info.file_size > MAX_RATIO * max(info.compress_size, 1) for info in infos)
        if len(infos) > MAX_MEMBERS or total > max_bytes or too_packed:
            self.close()
            raise PackageError([problem(self.label, None, "", "too_large")])
        for info in infos:
            if "/" in info.filename or "\\" in info.filename or info.is_dir():
                self.subfolders.append(info.filename)
            elif info.filename in self._sizes:
                # Two members of one name: which one counts would be a guess.
                self.close()
                raise PackageError([problem(self.label, None, info.filename, "duplicate_member")])
            else:
                self._sizes[info.filename] = info.file_size

    @property
    def names(self) -> list[str]:
        return list(self._sizes)

    def size(self, name) -> int:
        return self._sizes[name]

    def read_bytes(self, name, limit=1024 * 1024) -> bytes:
        try:
            with self._open_binary(name) as handle:
                return handle.read(limit)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise PackageError([problem(name, None, "", "bad_zip")]) from None

    def open_text(self, name) -> io.TextIOBase:
        """The member as text: UTF-8 (a byte-order mark is tolerated), newlines untouched.

        Bytes that are not UTF-8 come through as lone surrogates (``surrogateescape``),
        so the reader can name the line and column that holds them and read on."""
        raw = _Counting(self._open_binary(name), self)
        return io.TextIOWrapper(io.BufferedReader(raw, 1024 * 1024), encoding="utf-8-sig", errors="surrogateescape",
                                newline="")

    def _open_binary(self, name):
        if name not in self._sizes:
            raise KeyError(name)
        if self._zip is not None:
            try:
                return self._zip.open(name)
            except (zipfile.BadZipFile, OSError, RuntimeError):
                raise PackageError([problem(self.label, None, "", "bad_zip")]) from None
        return open(self.path / name, "rb")

    def close(self):
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
