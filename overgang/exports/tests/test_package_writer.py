"""The package writer's own rows for answers.csv are the csv module's bytes."""

import csv
import io
import random

from overgang.exports import writer

# Values an answer can hold, the ones the csv module quotes or writes otherwise among them.
AWKWARD = ["", "5", "1 3 9", "2026-03-01", "a,b", 'sagde "nej"', "linje\nlinje", "cr\rlf", "\r\n", ",", '"',
           "None", "ingen None her", "nul\x00tegn", "æøå ÆØÅ", " mellemrum ", "=1+1", "semi;kolon", "tab\tx",
           None, 5, 2.5, True, [], ["a"], {}, "''", "\\", "None,"]


def _module_bytes(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _written(records):
    return "".join(writer.answer_rows(key, pairs) for key, pairs in records).encode("utf-8")


def test_answer_rows_are_the_bytes_the_csv_module_writes():
    rng = random.Random(15)
    records = []
    for n in range(600):
        key = rng.choice([f"rec-{n}", f"{n:08x}-730d-4c48", f"med,komma-{n}", f'"{n}"', f"R{n}\n"])
        pairs = [(rng.choice(["contact_route", "note", "x,y", "ja\"nej", "item"]) + str(i), rng.choice(AWKWARD))
                 for i in range(rng.randrange(0, 12))]
        records.append((key, pairs))
    # Records that are plain throughout (the fast path) and one awkward value among plain ones.
    records.append(("plain", [("a", "1"), ("b", "2 3"), ("c", "2026-01-01")]))
    records.append(("mixed", [("a", "1"), ("free_text", "Hun sagde: \"nej, tak\"\nfarvel"), ("c", "3")]))
    expected = _module_bytes([(key, *pair) for key, pairs in records for pair in pairs])
    assert _written(records) == expected


def test_a_plain_record_is_written_without_the_csv_module(monkeypatch):
    calls = []
    monkeypatch.setattr(writer, "_csv_line", lambda row: calls.append(row) or "")
    assert writer.answer_rows("R1", [("a", "1"), ("b", "2 3")]) == "R1,a,1\nR1,b,2 3\n"
    assert writer.answer_rows("R2", [("a", "1"), ("note", "x, y")]) == "R2,a,1\n"
    assert calls == [("R2", "note", "x, y")]  # only the row that needs quoting
