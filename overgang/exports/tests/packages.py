"""Small packages written inline, so a test shows the rows it is about."""

import json

MANIFEST = {"format": "overgang-interchange", "version": 1, "exported_at": "2026-01-01T00:00:00+00:00", "source": "test"}

BASE = {
    "citizens.csv": "citizen_id,municipality,worker,created_on\n"
                    "Anna,Aby Kommune,worker,2016-01-01\n",
    "courses.csv": "course_id,citizen_id,start_date,end_date,status,phase2_start,phase3_start\n"
                   "F1,Anna,2016-01-10,,active,,\n",
    "pauses.csv": "course_id,start_date,end_date\n",
    "records.csv": "record_id,citizen_id,course_id,instrument,filled_on,respondent\n"
                   "R1,Anna,F1,star,2016-01-10,citizen\n"
                   "R2,Anna,,registration,2016-01-09,\n",
    "answers.csv": "record_id,item,value\n"
                   "R1,time_point,1\n"
                   "R1,possible,4\n"
                   "R2,birth_date,1990-05-17\n"
                   "R2,gender,1\n",
}


def write_package(directory, *, manifest=MANIFEST, drop=(), **files):
    """BASE with files replaced (``citizens_csv="..."``); ``drop`` leaves files out."""
    directory.mkdir(parents=True, exist_ok=True)
    contents = dict(BASE)
    for key, text in files.items():
        contents[key.replace("_csv", ".csv").replace("_txt", ".txt")] = text
    for name, text in contents.items():
        if name in drop:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (directory / name).write_bytes(data)
    if "manifest.json" not in drop:
        (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def add_rows(name, *rows):
    """BASE's file with rows added."""
    return BASE[name] + "".join(row + "\n" for row in rows)


def empty_installation():
    """Empty every table, as a fresh installation (inside the test's transaction).

    PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks still pending
    in the transaction, so those checks run first."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", "--no-input", verbosity=0)
