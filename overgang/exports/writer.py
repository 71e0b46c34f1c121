"""Writing the files of an interchange package (a directory, or a ``.zip``).

CSV as interchange.md fixes it: UTF-8, comma, one header row, RFC 4180 quoting
(``csv.QUOTE_MINIMAL`` quotes exactly the values with commas, quotes or line breaks),
``\\n`` line ends. A zip is built from the finished files with a fixed timestamp, so
two exports of the same data differ only in ``manifest.json``'s ``exported_at``.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from .interchange import FORMAT, VERSION, export_columns

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ORDER = ("manifest.json", "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv")


class PackageWriter:
    """``writerow(file, values)`` per row; ``close(exported_at, source)`` finishes the package."""

    def __init__(self, target, *, version=VERSION):
        self.target = Path(target)
        self.version = version
        self.zipped = self.target.suffix.lower() == ".zip"
        if self.zipped:
            self._tmp = tempfile.TemporaryDirectory(prefix="overgang-export-")
            self.directory = Path(self._tmp.name)
        else:
            self.directory = self.target
            self.directory.mkdir(parents=True, exist_ok=True)
        self._handles = {}
        self._writers = {}
        for name, columns in export_columns(version).items():
            handle = open(self.directory / name, "w", encoding="utf-8", newline="")
            self._handles[name] = handle
            self._writers[name] = csv.writer(handle, lineterminator="\n")
            self._writers[name].writerow(columns)

    def writerow(self, name, values):
        self._writers[name].writerow(values)

    def writerows(self, name, rows):
        self._writers[name].writerows(rows)

    def close(self, *, exported_at: str, source: str):
        for handle in self._handles.values():
            handle.close()
        manifest = {"format": FORMAT, "version": self.version, "exported_at": exported_at, "source": source}
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (self.directory / "manifest.json").write_text(text, encoding="utf-8")
        if self.zipped:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(self.target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name in ORDER:
                    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    with open(self.directory / name, "rb") as source_file, archive.open(info, "w") as member:
                        shutil.copyfileobj(source_file, member, 1024 * 1024)
            self._tmp.cleanup()

    def abort(self):
        for handle in self._handles.values():
            handle.close()
        if self.zipped:
            self._tmp.cleanup()
