"""Kept reports (``kept.py``): a report computed once per change of its data.

``DataStamp`` is kept by the database itself: triggers (migration 0001) count the
changes of the rows the report reads — citizens, started courses, their pauses,
completed records, consents — per municipality, and of the instrument and template
versions in scope 0. No application code writes it, so no path that changes the data
(an action, an import's COPY, the generator, a SQL session) can leave a kept report
looking current.

``KeptReport`` holds one computed report (the JSON contract, exact numbers: suppression
happens when it is shown) encrypted with the installation's field keys, with the
stamps it was computed at. A database copy without the keys reads nothing of it.
"""

from django.db import models


class DataStamp(models.Model):
    # A municipality's id, or 0 for what every report reads (instrument and template versions).
    scope = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField(default=0)

    class Meta:
        db_table = "evaluation_datastamp"


class KeptReport(models.Model):
    # sha256 of what the report was asked for: municipalities, filters, definitions, language, code.
    key = models.CharField(max_length=64, primary_key=True)
    # The municipalities it covers, as "1,4,7" (to drop the stale reports of the same ones).
    municipalities = models.TextField()
    # The DataStamp generations it was computed at, as "0:3;1:17;4:2".
    stamp = models.TextField()
    computed_at = models.DateTimeField()
    payload = models.BinaryField()  # zlib-compressed report JSON, Fernet-encrypted with the field keys

    class Meta:
        db_table = "evaluation_keptreport"
        indexes = [models.Index(fields=["municipalities"], name="keptreport_by_municipalities")]
