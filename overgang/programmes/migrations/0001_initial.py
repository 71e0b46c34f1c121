import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TemplateVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=32)),
                ("version", models.PositiveIntegerField()),
                ("content_hash", models.CharField(max_length=64)),
                ("definition", models.JSONField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "ordering": ["name", "version"],
                "constraints": [
                    models.UniqueConstraint(fields=("name", "version"), name="template_version_unique_number"),
                    models.UniqueConstraint(fields=("name", "content_hash"), name="template_version_unique_hash"),
                ],
            },
        ),
        migrations.CreateModel(
            name="TemplateOffer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("template", models.CharField(max_length=32)),
                ("offered", models.BooleanField(default=True, verbose_name="tilbydes")),
                ("phase1_months", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="fase 1 (måneder)")),
                ("phase2_months", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="fase 2 (måneder)")),
                ("phase3_months", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="fase 3 (måneder)")),
                ("interval_months", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="måling hver (måneder)")),
                ("window_days", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="vindue før og efter (dage)")),
                ("municipality", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="template_offers", to="accounts.municipality")),
            ],
            options={
                "ordering": ["template"],
                "constraints": [
                    models.UniqueConstraint(fields=("municipality", "template"), name="template_offer_once_per_municipality"),
                ],
            },
        ),
    ]
