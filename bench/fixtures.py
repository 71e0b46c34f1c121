"""What one benchmark run needs inside an installation, made through the application's actions.

Run by ``bench/bench.py`` in the installation's own environment (``DATABASE_URL`` …):

    python bench/fixtures.py prepare CLIENTS COMPLETIONS   # prints one JSON object
    python bench/fixtures.py clean CODES_FILE               # discards the drafts a run left

``prepare`` picks the largest municipality, its leader, and CLIENTS running courses there
with at least three stars, of as many different workers as there are; for each, the
citizen (the citizen page and its charts, the printout), a star draft with the first
page answered (the form page and saving an answer), and COMPLETIONS further star drafts
answered in full and ready to be completed. Drafts are made with the same actions a
worker's browser uses; answers are drawn by the generator's ``answers.draw``.
"""

import datetime as dt
import json
import random
import sys
from pathlib import Path

import django


def prepare(clients, completions):
    from django.db.models import Count, Q

    from overgang.accounts.models import Municipality, Role, User
    from overgang.courses import actions
    from overgang.courses.models import Course
    from overgang.measurements import actions as record_actions
    from overgang.synthetic.answers import draw

    municipality = Municipality.objects.annotate(n=Count("citizens")).order_by("-n").first()
    leader = User.objects.filter(memberships__municipality=municipality, memberships__role=Role.LEADER).first()
    running = (Course.objects.filter(citizen__municipality=municipality, status="active")
               .exclude(pauses__end_date=None, pauses__isnull=False)
               .annotate(stars=Count("records", filter=Q(records__instrument="star", records__status="completed")))
               .filter(stars__gte=3).select_related("citizen__worker").order_by("-stars", "pk"))
    # One course per client, of as many different workers as there are (then again).
    chosen, workers = [], set()
    for course in running[:2000]:
        if course.citizen.worker_id not in workers and len(chosen) < clients:
            chosen.append(course)
            workers.add(course.citizen.worker_id)
    chosen += [c for c in running[:200] if c not in chosen][: clients - len(chosen)]
    today = dt.date.today()
    rng = random.Random(15)
    out = {"municipality": str(municipality.code), "municipality_citizens": municipality.n,
           "leader": leader.username, "clients": [], "drafts": []}
    for course in chosen:
        worker = course.citizen.worker
        draft = actions.do_start_course_record(course, "star", actor=worker, filled_on=today, respondent="citizen")
        record_actions.do_save_answers(draft, {"possible": 1, "goal": 1}, actor=worker, version=draft.version)
        draft.refresh_from_db()
        complete = []
        for _ in range(completions):
            record = actions.do_start_course_record(course, "star", actor=worker, filled_on=today,
                                                    respondent="citizen")
            answers = draw(record.definition, today, rng, {**record.get_answers(), "possible": 1})
            record_actions.do_save_answers(record, answers, actor=worker, version=record.version)
            record.refresh_from_db()
            complete.append({"code": str(record.code), "version": record.version})
            out["drafts"].append(str(record.code))
        out["drafts"].append(str(draft.code))
        out["clients"].append({
            "worker": worker.username, "citizen": str(course.citizen.code), "course": str(course.code),
            "stars": course.stars, "draft": str(draft.code), "complete": complete,
        })
    return out


def clean(codes_file):
    """Discard the drafts a run left (the completed ones stay, as a worker's would)."""
    from overgang.measurements import actions as record_actions
    from overgang.measurements.models import Record

    path = Path(codes_file)
    if not path.exists():
        return {"discarded": 0}
    codes = json.loads(path.read_text())
    n = 0
    for record in Record.objects.filter(code__in=codes, status=Record.Status.DRAFT).select_related("citizen__worker"):
        record_actions.do_discard_draft(record, actor=record.citizen.worker)
        n += 1
    path.unlink()
    return {"discarded": n}


def main():
    django.setup()
    verb = sys.argv[1]
    if verb == "prepare":
        print(json.dumps(prepare(int(sys.argv[2]), int(sys.argv[3]))))
    elif verb == "clean":
        print(json.dumps(clean(sys.argv[2])))
    else:
        sys.exit(f"unknown verb {verb}")


if __name__ == "__main__":
    main()
