"""Writing the files of an interchange package (a directory, or a ``.zip``).

CSV as interchange.md fixes it: UTF-8, comma, one header row, RFC 4180 quoting
(``csv.QUOTE_MINIMAL`` quotes exactly the values with commas, quotes or line breaks),
``\\n`` line ends. A zip is built from the finished files with a fixed timestamp, so
two exports of the same data differ only in ``manifest.json``'s ``exported_at``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from .interchange import FORMAT, VERSION, export_columns

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ORDER = ("manifest.json", "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv")


# Besides a comma or line break (quoted; counted in joined rows), what makes the csv
# module write a field otherwise than as it is: a quote (quoted), a carriage return or NUL
# (left to the module, whose rules for them differ between Python versions), and None
# (written as nothing; "None" as text is merely sent the slow way). Substring tests: a
# regular expression over each record's text cost fifteen times as much.
_AWKWARD = ('"', "\r", "\x00", "None")


def _plain(text: str, rows: int) -> bool:
    """Whether ``text``, ``rows`` rows of three fields joined with commas and ended with
    line breaks, is what the csv module writes for them (no field was awkward)."""
    return (text.count(",") == 2 * rows and text.count("\n") == rows
            and not any(awkward in text for awkward in _AWKWARD))


def _plain_field(value) -> bool:
    """``_plain`` for one field."""
    return (type(value) is str and "," not in value and "\n" not in value
            and not any(awkward in value for awkward in _AWKWARD))


def answer_rows(key, pairs) -> str:
    """The rows ``(key, first, second)`` for ``(first, second)`` in ``pairs`` (an
    answers.csv record: ``record_id, item, value``) as the csv module writes them.

    Almost every such row is plain text that ``csv.QUOTE_MINIMAL`` writes as it is, so
    the rows are joined here in one string (the module's per-row work was a quarter of
    an export). The joined text is checked as a whole (``_plain``); a row with a comma,
    quote or line break inside a value, a NUL, or a None (the module writes it as
    nothing) is written by the module instead. Any other value the module writes as
    ``str()`` gives it, as the f-string does."""
    lines = [f"{key},{first},{second}\n" for first, second in pairs]
    text = "".join(lines)
    if _plain(text, len(lines)):
        return text
    # Mostly one free text with a comma: only its row is the csv module's.
    plain_key = _plain_field(key)
    return "".join([line if plain_key and _plain_field(first) and _plain_field(second)
                    else _csv_line((key, first, second)) for line, (first, second) in zip(lines, pairs)])


def _csv_line(row) -> str:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(row)
    return line.getvalue()


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

    def write_text(self, name, text):
        """Rows made already (``answer_rows``)."""
        self._handles[name].write(text)

    def close(self, *, exported_at: str, source: str):
        for handle in self._handles.values():
            handle.close()
        manifest = {"format": FORMAT, "version": self.version, "exported_at": exported_at, "source": source}
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (self.directory / "manifest.json").write_text(text, encoding="utf-8")
        if self.zipped:
            # Written beside the target and renamed when whole: the target never holds half a zip.
            self.target.parent.mkdir(parents=True, exist_ok=True)
            partial = self.target.with_name(self.target.name + ".partial")
            try:
                with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                    for name in ORDER:
                        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                        info.compress_type = zipfile.ZIP_DEFLATED
                        info.external_attr = 0o644 << 16
                        with open(self.directory / name, "rb") as source_file, archive.open(info, "w") as member:
                            shutil.copyfileobj(source_file, member, 1024 * 1024)
                os.replace(partial, self.target)
            finally:
                partial.unlink(missing_ok=True)
            self._tmp.cleanup()

    def abort(self):
        """Leave nothing of an export that stopped: a directory gets its files removed
        (a half package must not be taken for a whole one), a zip is never written."""
        for handle in self._handles.values():
            handle.close()
        if self.zipped:
            self._tmp.cleanup()
        else:
            for name in (*self._handles, "manifest.json"):
                (self.directory / name).unlink(missing_ok=True)
