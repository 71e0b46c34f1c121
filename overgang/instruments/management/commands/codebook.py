"""``overgang codebook --format md|csv [--instrument NAME]``: print the data dictionary."""

from django.core.management.base import BaseCommand, CommandError

from overgang.instruments import codebook, registry


class Command(BaseCommand):
    help = "Print the codebook (data dictionary) generated from the instrument definitions."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["md", "csv"], default="md")
        parser.add_argument("--instrument", metavar="NAME", help="only this instrument")

    def handle(self, *args, format, instrument=None, **options):
        try:
            instruments = registry.all_instruments()
        except registry.DefinitionError as exc:
            raise CommandError(str(exc)) from None
        if instrument:
            if instrument not in instruments:
                raise CommandError(
                    f"Ukendt instrument / unknown instrument {instrument!r}; "
                    f"known: {', '.join(sorted(instruments))}"
                )
            selected = [instruments[instrument]]
        else:
            order = list(registry.INSTRUMENTS)
            selected = sorted(instruments.values(), key=lambda i: (order.index(i.name) if i.name in order else 99, i.name))
        render = codebook.render_csv if format == "csv" else codebook.render_markdown
        self.stdout.write(render(selected), ending="")
