from django.db import migrations, models


def fill(apps, schema_editor):
    """Every running course's next due registration, as due.refresh computes it."""
    from overgang.courses import due, schedule

    Course = apps.get_model("courses", "Course")
    Pause = apps.get_model("courses", "Pause")
    Record = apps.get_model("measurements", "Record")
    for course in Course.objects.filter(status="active"):
        pauses = [schedule.Pause(p.start_date, p.end_date) for p in Pause.objects.filter(course_id=course.pk)]
        completed = list(Record.objects.filter(course_id=course.pk, status="completed").values_list(
            "pk", "instrument", "filled_on"))
        plan = schedule.Plan(phase_months=(course.phase1_months, course.phase2_months, course.phase3_months),
                             interval_months=course.interval_months, window_days=course.window_days)
        course.next_due_on, course.next_due_until, course.next_due_instrument = due.compute(
            course.status, course.start_date, plan, pauses, completed)
        course.save(update_fields=["next_due_on", "next_due_until", "next_due_instrument"])


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0008_course_contact_route_other"),
        ("measurements", "0004_encrypt_knows_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="next_due_on",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="course",
            name="next_due_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="course",
            name="next_due_instrument",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
