"""``overgang templates list|show NAME [--format text|json]``: the course templates.

Reads the repository's templates (validating them: a broken template is an error listing
every problem) and the versions published in the installation. Writes nothing.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from overgang.instruments import registry as instrument_registry
from overgang.programmes import registry
from overgang.programmes.models import TemplateVersion


class Command(BaseCommand):
    help = "List the course templates, or show one: target group, calendar, instruments and groups, goals, report."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True, metavar="list|show")
        listing = sub.add_parser("list", help="every template")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        show = sub.add_parser("show", help="one template")
        show.add_argument("name")
        show.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, verb, format, name=None, **options):
        try:
            templates = registry.all_templates()
        except registry.DefinitionError as exc:
            raise CommandError(str(exc)) from None
        versions = _published()
        if verb == "list":
            rows = [_summary(t, versions.get(t.name, [])) for t in templates.values()]
            if format == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(_table(rows))
            return
        if name not in templates:
            raise CommandError(
                f"Ukendt skabelon / unknown template {name!r}; kendte / known: {', '.join(sorted(templates))}"
            )
        template = templates[name]
        if format == "json":
            out = {**template.to_dict(), "content_hash": template.content_hash(),
                   "versions": versions.get(name, [])}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_details(template, versions.get(name, [])))


def _published() -> dict:
    """name → [{version, content_hash, created_at}] from the installation (empty when the
    database has not been created yet: the command still shows the repository)."""
    try:
        rows = list(TemplateVersion.objects.order_by("name", "version").values_list(
            "name", "version", "content_hash", "created_at"))
    except DatabaseError:
        return {}
    out: dict = {}
    for name, version, digest, created in rows:
        out.setdefault(name, []).append(
            {"version": version, "content_hash": digest, "created_at": created.isoformat(timespec="seconds")})
    return out


def _current(template, versions) -> str:
    digest = template.content_hash()
    match = next((v for v in versions if v["content_hash"] == digest), None)
    return f"v{match['version']}" if match else "–"


def _summary(template, versions) -> dict:
    calendar = template.calendar
    return {
        "name": template.name, "title": template.title.to_dict(), "version": _current(template, versions),
        "content_hash": template.content_hash(), "phase_months": list(calendar.phase_months),
        "course_months": calendar.course_months, "interval_months": calendar.interval_months,
        "window_days": calendar.window_days, "default": template.name == registry.DEFAULT,
    }


def _table(rows) -> str:
    header = ("name", "version", "phases", "months", "interval", "window", "title")
    lines = [header]
    for row in rows:
        lines.append((
            row["name"] + (" *" if row["default"] else ""), row["version"],
            "+".join(str(m) for m in row["phase_months"]), str(row["course_months"]),
            str(row["interval_months"]), str(row["window_days"]), f"{row['title']['da']} / {row['title']['en']}",
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])) + "  " + line[-1] for line in lines
    )
    return text + "\n* standard: forløb fra før skabelonerne og fra overgang-interchange/1 / default: courses from " \
                  "before templates and from overgang-interchange/1\n"


def _goal_labels(template) -> list[str]:
    try:
        goal = instrument_registry.get_instrument("registration").item("goal").choices
    except (KeyError, instrument_registry.DefinitionError):
        goal = None
    out = []
    for code in template.goals:
        choice = goal.get(code) if goal else None
        out.append(f"{code} {choice.label.da} / {choice.label.en}" if choice else f"{code} (–)")
    return out


def _details(template, versions) -> str:
    c = template.calendar
    lines = [
        f"{template.name} — {template.title.da} / {template.title.en}",
        "",
        f"Målgruppe / target group: {template.target_group.da}",
        f"  {template.target_group.en}",
        f"Overgang / transition: {template.transition.da} / {template.transition.en}",
        f"Kalender / calendar: {' + '.join(str(m) for m in c.phase_months)} = {c.course_months} måneder/months; "
        f"stjerne og CTI-skema hver / star and CTI form every {c.interval_months} md./months, "
        f"vindue / window ± {c.window_days} dage/days",
        "Instrumenter og grupper / instruments and item groups:",
        *(f"  {name}: {', '.join(groups) if groups else '(fælles kerne / common core)'}"
          for name, groups in template.instruments),
        "Mål / goals:",
        *(f"  {label}" for label in _goal_labels(template)),
        f"Rapport / report: {', '.join(template.measures)}",
        f"Undergrupper / subgroups: {', '.join(template.subgroups) or '–'}",
        f"Kilde / source: {template.source}",
        f"Indhold / content hash: {template.content_hash()}",
        "Versioner / versions: " + (", ".join(
            f"v{v['version']} ({v['created_at']}, {v['content_hash'][:12]})" for v in versions) or "–"),
    ]
    return "\n".join(lines) + "\n"
