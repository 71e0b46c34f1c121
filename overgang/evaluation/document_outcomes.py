"""Chapters 6 and 7 of the human report: progression, attrition, fidelity and subgroups.

Titles are SFI's (sfi-analyses.md §6) and, for chapter 7, cti-method.md §2's tables and
figures named in SFI's style. Every figure has its numbers in a table beside it. The
star's dimensions and every row that is one code are labelled by the codebook
(``Labels``), in the report's language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from overgang.evaluation import document_chapter5
from overgang.evaluation.document import (
    POINTS, Block, Cell, Labels, Section, count, cutoff, lengths_note, mean, no_data, one_decimal, p_text, pct, percent,
    point_labels, pval, share_columns, share_row, text,
)
from overgang.lib import charts, numbers

LATER = POINTS[1:]


def _n_text(fmt, by_point, points=POINTS):
    labels = point_labels()
    return "N = " + ", ".join(f"{fmt.show(count(by_point[p]['n']))} ({labels[p].lower()})" for p in points)


def _pct_value(fmt, share_dict):
    value = fmt.visible(share_dict.get("share"), share_dict.get("n"))
    if value is None or fmt.hidden_count(share_dict.get("count")):
        return None
    # The table's own rounding (half up from the counts), so the bar's label reads the same.
    if share_dict.get("count") is None:
        return int(numbers.half_up(value * 100, 0))
    return percent(share_dict["count"], share_dict["n"])


def _share_groups(measure):
    """The Ns and counts a start-versus-end test of shares compares."""
    start, end = measure["by_point"]["start"], measure["by_point"]["end"]
    return (start["n"], end["n"], start["count"], end["count"])


def _group_shares(dropout, key):
    """The Ns and counts a test between the dropout groups compares."""
    a, b = dropout["before10"][key], dropout["from10"][key]
    return (a["n"], b["n"], a["count"], b["count"])


def _counts(fmt, by_point, points):
    return [fmt.n_label(by_point[p]["n"]) for p in points]


def _share_figure(number, title, definition, by_point, points, fmt, *, key, note=""):
    labels = point_labels()
    rows = [share_row(labels[p], by_point[p]) for p in points]
    values = [_pct_value(fmt, by_point[p]) for p in points]
    chart = "" if all(v is None for v in values) else charts.bar_chart(
        [labels[p] for p in points], [("", values)], title=title, counts=_counts(fmt, by_point, points))
    return Block(number, title, _n_text(fmt, by_point, points), definition, ["", *share_columns()], rows,
                 chart=chart, note=note, empty="" if chart else no_data(), key=key)


def _test_note(label, p, fmt=None, groups=()):
    """A test's p-value in a note; for those who see suppressed numbers not when any of
    the compared ``groups`` (their N and, for shares, their counts) is hidden."""
    if fmt is not None and fmt.hides_any(*groups):
        return _("%(label)s: vises ikke (en gruppe er for lille).") % {"label": label}
    shown = p_text(p)
    if shown.startswith("<"):
        return _("%(label)s: p %(p)s.") % {"label": label, "p": shown}
    return _("%(label)s: p = %(p)s.") % {"label": label, "p": shown}


# ---------------------------------------------------------------------------- chapter 6


def chapter6(report, fmt, words: Labels) -> Section:
    who5, star = report["who5"], report["star"]
    labels = point_labels()
    blocks = []
    by = who5["by_point"]
    means = [fmt.visible(by[p]["mean"], by[p]["n"]) for p in POINTS]
    title = _("Mentalt trivselsniveau (WHO-5) blandt borgerne i projektet. Særskilt ved opstart og faser i "
              "CTI-forløbet. Gennemsnitlig score og antal.")
    chart = "" if all(v is None for v in means) else charts.line_chart(
        list(labels.values()), [(_("WHO-5"), means)], title=title, y_max=100, counts=_counts(fmt, by, POINTS),
        reference=report["definitions"]["who5_risk_max"], reference_label=_("Risikogrænse"))
    bal = who5["balanced"]
    blocks.append(Block(
        _("Figur 6.1"), title, _n_text(fmt, by),
        _("WHO-5-indeks (0–100) = 4 × summen af de fem svar, kun når alle fem er besvaret."),
        ["", _("N"), _("Gennemsnit")], [[text(labels[p]), count(by[p]["n"]), mean(by[p]["mean"], by[p]["n"])] for p in POINTS],
        chart=chart, empty="" if chart else no_data(), key="f6-1",
        note=" ".join([
            _test_note(_("t-test, opstart mod afslutning"), who5["start_vs_end"]["mean_p"], fmt,
                       (by["start"]["n"], by["end"]["n"])),
            _("Borgere med måling ved både opstart og afslutning (N = %(n)s): %(a)s ved opstart og %(b)s ved afslutning.") % {
                "n": fmt.show(count(bal["n"])), "a": fmt.show(mean(bal["start_mean"], bal["n"])),
                "b": fmt.show(mean(bal["end_mean"], bal["n"]))},
        ]),
    ))
    risk = {p: {"n": by[p]["n"], "count": by[p]["at_risk_count"], "share": by[p]["at_risk"]} for p in POINTS}
    block = _share_figure(
        _("Figur 6.2"),
        _("Andelen af borgere i projektet med dårlig mental trivsel (stress-/depressionstruet). Særskilt for "
          "opstart og faser i CTI-forløbet. Procent og antal."),
        _("I risiko: WHO-5-indeks på %(max)s eller derunder.") % {"max": report["definitions"]["who5_risk_max"]},
        risk, POINTS, fmt, key="f6-2",
        note=_test_note(_("z-test, opstart mod afslutning"), who5["start_vs_end"]["at_risk_p"], fmt,
                        (by["start"]["n"], by["end"]["n"], by["start"]["at_risk_count"], by["end"]["at_risk_count"]))
        + " " + _(
            "Sandsynlig depression (indeks ≤ %(max)s): %(a)s %% ved opstart, %(b)s %% ved afslutning.") % {
            "max": report["definitions"]["who5_depression_max"],
            "a": fmt.show(Cell("pct", by["start"]["depression"], by["start"]["depression_count"], by["start"]["n"])),
            "b": fmt.show(Cell("pct", by["end"]["depression"], by["end"]["depression_count"], by["end"]["n"]))},
    )
    blocks.append(block)
    improved = who5["improved"]
    blocks.append(_share_figure(
        _("Figur 6.3"),
        _("Andel af borgere i projektet, som har minimum 10 pct. forbedring i mental trivsel (WHO-5). Særskilt for "
          "CTI-forløbets faser. Procent og antal."),
        _("Forbedret: %(rule)s fra borgerens indeks ved opstart; kun borgere med måling ved opstart og i fasen.") % {
            "rule": report["definitions"]["who5_improvement"]},
        improved, LATER, fmt, key="f6-3",
        note=_test_note(_("Andelen ved afslutning mod 0 (z-test)"), improved["end"]["p_vs_zero"], fmt,
                        (improved["end"]["n"], improved["end"]["count"])),
    ))
    if report["paid_last_month"] is not None:  # None: a template without the prostitution questions
        blocks.extend(_prostitution(report, fmt, words))
    sb = star["by_point"]
    values = [fmt.visible(sb[p]["mean"], sb[p]["n"]) for p in POINTS]
    title = _("Oplevelse af egen livssituation (Outcomes Star) blandt borgerne i projektet. Særskilt for opstart og "
              "faser i CTI-forløbet. Gennemsnit og antal.")
    chart = "" if all(v is None for v in values) else charts.line_chart(
        list(labels.values()), [(_("Stjerne"), values)], title=title, y_max=10, counts=_counts(fmt, sb, POINTS))
    blocks.append(Block(
        _("Figur 6.6"), title, _n_text(fmt, sb),
        _("Stjernens gennemsnit = gennemsnittet af de besvarede dimensioner (1–10) i én stjerne."),
        ["", _("N"), _("Gennemsnit"), _("Færre end 10 dimensioner")],
        [[text(labels[p]), count(sb[p]["n"]), mean(sb[p]["mean"], sb[p]["n"]), count(sb[p]["incomplete"])] for p in POINTS],
        chart=chart, empty="" if chart else no_data(), key="f6-6",
        note=_test_note(_("t-test, opstart mod afslutning"), star["start_vs_end"]["mean_p"], fmt,
                        (sb["start"]["n"], sb["end"]["n"])),
    ))
    blocks.append(_progression(report, fmt))
    blocks.extend(_dimensions(report, fmt, words))
    blocks.append(_staff_ratings(report, fmt))
    blocks.extend(_dropout(report, fmt))
    return Section(_("Kapitel 6. Borgernes progression"), "", blocks)


def _prostitution(report, fmt, words) -> list:
    """Figures 6.4–6.5 and Table 6.1: only in a report with the prostitution template."""
    blocks = []
    paid, considered = report["paid_last_month"], report["paid_or_considered"]
    blocks.append(_share_figure(
        _("Figur 6.4"),
        _("Andelen af borgere i projektet, som har modtaget betaling for seksuelle ydelser inden for den seneste "
          "måned. Særskilt for opstart og faser i CTI-forløbet. Procent og antal."),
        _("Svar 'ja' til betaling for en seksuel ydelse den seneste måned, af alle der har svaret."),
        paid["by_point"], POINTS, fmt, key="f6-4",
        note=_test_note(_("z-test, opstart mod afslutning"), paid["start_vs_end"]["p"], fmt, _share_groups(paid)),
    ))
    blocks.append(_share_figure(
        _("Figur 6.5"),
        _("Andelen af borgere i projektet, som har modtaget betaling for seksuelle ydelser eller haft overvejelser "
          "herom ved opstart og undervejs i CTI-forløbet. Procent og antal."),
        _("Betaling den seneste måned, eller overvejelser om det blandt dem uden betaling."),
        considered["by_point"], POINTS, fmt, key="f6-5",
        note=_test_note(_("z-test, opstart mod afslutning"), considered["start_vs_end"]["p"], fmt,
                        _share_groups(considered)),
    ))
    motives = report["motives"]
    motive_labels = {k: words.code("paid_motives", k) for k in ("2", "1", "4", "8", "3", "9", "5", "6", "7", "10", "11")}
    blocks.append(Block(
        _("Tabel 6.1"),
        _("Andelen af borgere i projektet, der har modtaget betaling for seksuelle ydelser inden for den seneste "
          "måned, fordelt på specifikke bevæggrunde for at modtage betaling. Procent."),
        _("N = %(n)s registreringer fra %(c)s forløb.") % {"n": fmt.show(count(motives["n"])),
                                                           "c": fmt.show(count(motives["courses"]))},
        _("Enheden er en stjerne med betaling den seneste måned (alle tidspunkter); flere svar muligt."),
        ["", *share_columns()], [share_row(label, motives["codes"][k]) for k, label in motive_labels.items()], key="t6-1",
    ))
    return blocks


def _progression(report, fmt) -> Block:
    prog = report["star"]["progression"]
    labels = point_labels()
    classes = [("regression", _("Regression")), ("no_change", _("Ingen ændring")),
               ("moderate", _("Moderat progression")), ("large", _("Betydelig progression"))]
    rows, bars = [], []
    for p in LATER:
        row = prog[p]
        cells = [Cell("pct", row[k], row["counts"][k], row["n"]) for k, _l in classes]
        rows.append([text(labels[p]), *cells, count(row["n"])])
        # A segment's width tells its count: a bar with any count under the small-cell
        # limit is not drawn for those who see suppressed numbers.
        hidden = (fmt.hidden_n(row["n"]) or not row["n"]
                  or any(fmt.hidden_count(row["counts"][k]) for k, _l in classes))
        bars.append((labels[p], None if hidden else [percent(row["counts"][k], row["n"]) for k, _l in classes]))
    title = _("Borgere i projektet, fordelt efter udvikling i oplevelse af egen livssituation (Outcomes Star). "
              "Særskilt for opstart og faserne i CTI-forløbet. Procent.")
    chart = "" if all(b is None for _l, b in bars) else charts.stacked_bars(bars, [l for _k, l in classes], title=title)
    large = ">= 1" if report["definitions"]["large_inclusive"] else "> 1"
    return Block(
        _("Tabel 6.2"), title, "N = " + ", ".join(fmt.show(count(prog[p]["n"])) for p in LATER),
        _("Δ = stjernens gennemsnit i fasen minus ved opstart: regression Δ < −0,25; ingen ændring −0,25 til 0,25; "
          "moderat 0,25 til 1; betydelig Δ %(large)s.") % {"large": large},
        ["", *[l for _k, l in classes], _("N")], rows, chart=chart, empty="" if chart else no_data(), key="t6-2",
        note=_test_note(_("Andelen med betydelig progression ved afslutning mod 0 (z-test)"),
                        prog["end"]["large_p_vs_zero"], fmt, (prog["end"]["n"], prog["end"]["counts"]["large"])),
    )


def _dimensions(report, fmt, words) -> list:
    dims = report["star"]["dimensions"]
    names = dict(words.dimensions())
    labels = point_labels()
    start = [fmt.visible(v["start_mean"], v["start_n"]) for v in dims.values()]
    end = [fmt.visible(v["end_mean"], v["end_n"]) for v in dims.values()]
    title = _("Oplevelse af egen livssituation (Outcomes Star) blandt borgerne i projektet. Særskilt for opstart og "
              "afslutning af CTI-forløbet. Gennemsnit.")
    chart = "" if all(v is None for v in start + end) else charts.radar(
        list(names.values()), [(_("Opstart"), start), (_("Afslutning"), end)], title=title)
    rows = []
    for key, v in dims.items():
        diff = None if v["start_mean"] is None or v["end_mean"] is None else v["end_mean"] - v["start_mean"]
        hidden = fmt.hidden_n(v["start_n"]) or fmt.hidden_n(v["end_n"])
        rows.append([text(names[key]), mean(v["start_mean"], v["start_n"]), mean(v["end_mean"], v["end_n"]),
                     text("–" if diff is None else (fmt.derived_mark(v["start_n"], v["end_n"]) if hidden
                                                   else one_decimal(diff))),
                     pval(v["p"], v["start_n"], v["end_n"])])
    radar = Block(
        _("Figur 6.7"), title,
        _("N = %(s)s (opstart), %(e)s (afslutning).") % {
            "s": fmt.show(count(report["star"]["by_point"]["start"]["n"])),
            "e": fmt.show(count(report["star"]["by_point"]["end"]["n"]))},
        _("Gennemsnit pr. dimension (1–10); p fra t-test af forskellen mellem opstart og afslutning."),
        ["", _("Opstart"), _("Afslutning"), _("Forskel"), _("p")], rows, chart=chart,
        empty="" if chart else no_data(), key="f6-7",
    )
    table = Block(
        _("Tabel 6.3"),
        _("Borgernes gennemsnitlige score inden for hver af de ti dimensioner ved opstart og faser i CTI-forløbet. "
          "Gennemsnit."),
        _n_text(fmt, report["star"]["by_point"]),
        _("Gennemsnit pr. dimension over de stjerner, hvor dimensionen er besvaret (SFI's tabel mangler i kilden)."),
        ["", *labels.values()],
        [[text(names[key]), *[mean(v["by_point"][p]["mean"], v["by_point"][p]["n"]) for p in POINTS]]
         for key, v in dims.items()],
        key="t6-3",
    )
    return [radar, table]


def _staff_ratings(report, fmt) -> Block:
    ratings = report["staff_ratings"]
    labels = {
        "mental_problems": _("Psykisk velbefindende: giver udtryk for psykiske problemer"),
        "out_of_work": _("Beskæftigelse/uddannelse: ledig, sygemeldt eller uden for arbejdsmarkedet"),
        "debt": _("Økonomi: har økonomisk gæld"),
        "sex_income": _("Økonomi: forsørgelsesgrundlag er salg af seksuelle ydelser"),
        "activities_wish": _("Dagligdag: ønsker nye aktiviteter i dagligdagen"),
        "housing_cost": _("Bolig: vanskeligt ved at betale boligomkostninger"),
        "home_functions": _("Bolig: vanskeligt ved at have og holde et hjem"),
        "network_lacking": _("Socialt netværk: manglende eller svagt netværk"),
        "physical_limits": _("Fysisk helbred: fysiske gener, der begrænser dagligdagen"),
        "substance": _("Misbrug: har et misbrug af alkohol eller stoffer"),
    }
    rows = [[text(labels[k]), pct(v["start"]), count(v["start"]["n"]), pct(v["end_from10"]), count(v["end_from10"]["n"]),
             pval(v["p"], v["start"]["n"], v["end_from10"]["n"], v["start"]["count"], v["end_from10"]["count"])]
            for k, v in ratings.items()]
    return Block(
        _("Tabel 6.4"),
        _("Andelen af borgere i projektet, der oplever problemer inden for udvalgte fokusområder, CTI-medarbejdernes "
          "vurdering. Særskilt for opstart og afslutning af forløb. Procent."),
        _("Opstart: alle opstartsskemaer; afslutning: afslutningsskemaer for forløb på %(cut)s måneder eller mere.")
        % {"cut": cutoff(report)},
        _("'I høj grad' eller 'i nogen grad' (eller 'ja'); p fra z-test med fælles andel; * p < 0,05, ** p < 0,01, "
          "*** p < 0,001."),
        ["", _("Opstart pct."), _("N"), _("Afslutning pct."), _("N"), _("p")], rows, key="t6-4",
    )


def _dropout(report, fmt) -> list:
    dropout, labels = report["dropout"], point_labels()
    cut = cutoff(report)
    groups = [("before10", _("Forløb afbrudt før %(cut)s. måned") % {"cut": cut}),
              ("from10", _("Forløb afsluttet efter %(cut)s. måned") % {"cut": cut}),
              ("all", _("Forløb, alle opstartede"))]
    t65 = Block(
        _("Tabel 6.5"),
        _("Borgere i projektet samt deres mentale trivselsniveau (WHO-5) ved opstart. Særskilt for borgere med et "
          "afbrudt forløb før %(cut)s. måned og borgere med et afsluttet forløb efter %(cut)s. måned. Særskilt for "
          "opstart og afslutning af forløb. Antal og gennemsnitlig score.") % {"cut": cut},
        " ".join(filter(None, [_("Grupperne efter afslutningsskemaets antal måneder; forløb uden afslutningsskema er "
                                 "kun med i 'alle'."), lengths_note(report)])),
        _("WHO-5 ved opstart for gruppens forløb."),
        ["", _("Antal registrerede forløb"), _("WHO-5 ved opstart"), _("Antal, beregningsgrundlag")],
        [[text(label), count(dropout[k]["courses"]), mean(dropout[k]["who5_start_mean"], dropout[k]["who5_start_n"]),
          count(dropout[k]["who5_start_n"])] for k, label in groups],
        note=_test_note(_("t-test mellem grupperne"), dropout["who5_start_p"], fmt,
                        (dropout["before10"]["who5_start_n"], dropout["from10"]["who5_start_n"])), key="t6-5",
    )
    att = report["attrition"]
    series_labels = [("retained", _("Fastholdte")), ("dropped", _("Frafaldne")), ("all", _("Alle"))]
    title = _("Mentalt trivselsniveau (WHO-5) for fastholdte, frafaldne og alle borgere. Særskilt ved opstart og "
              "faser i CTI-forløbet. Gennemsnitlig score.")
    series = [(label, [fmt.visible(att[k][p]["mean"], att[k][p]["n"]) for p in POINTS]) for k, label in series_labels]
    chart = "" if all(v is None for _l, vs in series for v in vs) else charts.line_chart(
        list(labels.values()), series, title=title, y_max=100,
        reference=report["definitions"]["who5_risk_max"], reference_label=_("Risikogrænse"))
    f68 = Block(
        _("Figur 6.8"), title,
        _("Forløb: fastholdte %(r)s, frafaldne %(d)s, alle %(a)s.") % {
            "r": fmt.show(count(att["retained"]["courses"])), "d": fmt.show(count(att["dropped"]["courses"])),
            "a": fmt.show(count(att["all"]["courses"]))},
        _("Fastholdte: WHO-5 ved både opstart og afslutning. Frafaldne: afsluttede forløb uden stjerne i 3. fase "
          "eller ved afslutning. Alle: mindst én WHO-5-måling."),
        ["", *[f"{label} N" for _k, label in series_labels], *[label for _k, label in series_labels], _("p (fastholdte mod frafaldne)")],
        [[text(labels[p]), *[count(att[k][p]["n"]) for k, _l in series_labels],
          *[mean(att[k][p]["mean"], att[k][p]["n"]) for k, _l in series_labels],
          pval(att["p"][p], att["retained"][p]["n"], att["dropped"][p]["n"])] for p in POINTS],
        chart=chart, empty="" if chart else no_data(), key="f6-8",
    )
    if "sex_income_start_p" not in dropout:  # a template without the prostitution questions
        return [t65, f68]
    rows = [[text(label), pct(dropout[k]["sex_income_start"]), count(dropout[k]["sex_income_start"]["n"]),
             pct(dropout[k]["sex_income_end"]), count(dropout[k]["sex_income_end"]["n"])] for k, label in groups]
    t66 = Block(
        _("Tabel 6.6"),
        _("Andelen af borgere i projektet, der har salg af seksuelle ydelser som primært forsørgelsesgrundlag. "
          "Særskilt for opstart og afslutning af forløb og for borgere med et afbrudt forløb før %(cut)s. måned og "
          "borgere med et afsluttet forløb efter %(cut)s. måned. Procent og antal.") % {"cut": cut},
        _("Opstartsskemaer og afslutningsskemaer for gruppens forløb."),
        _("'Salg af sex' krydset af blandt forsørgelsesgrundlagene (flere svar muligt)."),
        ["", _("Opstart pct."), _("N"), _("Afslutning pct."), _("N")], rows, key="t6-6",
        note=" ".join([
            _test_note(_("z-test mellem grupperne ved opstart"), dropout["sex_income_start_p"], fmt,
                       _group_shares(dropout, "sex_income_start")),
            _test_note(_("Ved afslutning"), dropout["sex_income_end_p"], fmt, _group_shares(dropout, "sex_income_end"))]),
    )
    return [t65, f68, t66]


# ---------------------------------------------------------------------------- chapter 7


def chapter7(report, fmt, words: Labels) -> Section:
    fid = report["fidelity"]
    blocks = []
    tm = fid["transition_month"]
    blocks.append(Block(
        _("Tabel 7.1"), _("Antal måneder i forløbet ved faseovergangene. Gennemsnit."),
        _("N = %(a)s (overgang 1.–2. fase), %(b)s (overgang 2.–3. fase).") % {
            "a": fmt.show(count(tm["phase2"]["n"])), "b": fmt.show(count(tm["phase3"]["n"]))},
        _("Måneder i forløb i skemaerne for igangværende forløb udfyldt ved en faseovergang."),
        ["", _("N"), _("Måneder")],
        [[text(_("Overgang til 2. fase")), count(tm["phase2"]["n"]), mean(tm["phase2"]["mean"], tm["phase2"]["n"])],
         [text(_("Overgang til 3. fase")), count(tm["phase3"]["n"]), mean(tm["phase3"]["mean"], tm["phase3"]["n"])]],
        key="t7-1",
    ))
    meetings = fid["weekly_meetings"]
    freq = [(c, words.code("meeting_frequency", c)) for c in ("1", "2", "3", "4", "5")]
    phase_labels = [("phase1", _("1. fase")), ("phase2", _("2. fase")), ("phase3", _("3. fase"))]
    bars = []
    for key, label in phase_labels:
        row = meetings[key]
        n = sum(row["distribution"].values())
        hidden = not n or fmt.hidden_n(n) or any(fmt.hidden_count(row["distribution"][c]) for c, _l in freq)
        bars.append((label, None if hidden else [percent(row["distribution"][c], n) for c, _l in freq]))
    title = _("CTI-forløb fordelt efter hyppigheden af fysiske møder mellem CTI-medarbejder og borger. Særskilt for "
              "faser. Procent.")
    chart = "" if all(b is None for _l, b in bars) else charts.stacked_bars(bars, [l for _c, l in freq], title=title)
    blocks.append(Block(
        _("Figur 7.1"), title, "N = " + ", ".join(fmt.show(count(meetings[k]["n"])) for k, _l in phase_labels),
        _("Skemaer for igangværende forløb i fasen; ugentligt eller oftere = dagligt, 2–3 gange om ugen eller ca. én "
          "gang om ugen."),
        # The chart's numbers are the table's too: each frequency's share per phase, then
        # the weekly-or-more share the text speaks of, then N.
        ["", *(f"{label}, " + _("pct.") for _k, label in phase_labels)],
        [[text(flabel), *(Cell("pct", (meetings[k]["distribution"][c] / n) if (n := sum(meetings[k]["distribution"].values())) else None,
                               meetings[k]["distribution"][c], n) for k, _l in phase_labels)] for c, flabel in freq]
        + [[text(_("Ugentligt eller oftere")), *(pct(meetings[k]) for k, _l in phase_labels)],
           [text(_("N")), *(count(sum(meetings[k]["distribution"].values())) for k, _l in phase_labels)]],
        chart=chart, empty="" if chart else no_data(), key="f7-1",
    ))
    blocks.append(document_chapter5.hours_block(report, fmt))
    plan = fid["plan"]
    elements = [("exists", _("Der er udarbejdet en aktivitetsplan (1. fase)")),
                ("citizen_took_part", _("Borgeren har deltaget i udarbejdelsen (1. fase)")),
                ("agreements", _("Nødvendige aftaler med aktører er indgået")),
                ("evaluated", _("Der er foretaget evaluering (2. fase)")),
                ("adjusted", _("Der er foretaget tilretninger (2. fase)"))]
    blocks.append(Block(
        _("Tabel 7.2"), _("Andel af CTI-forløb, hvor aktivitetsplanens elementer er opfyldt. Procent."),
        "N = " + ", ".join(fmt.show(count(plan[k]["n"])) for k, _l in elements),
        _("Skemaer for igangværende forløb; elementerne efter planen er af forløb med en plan."),
        ["", *share_columns()], [share_row(label, plan[k]) for k, label in elements], key="t7-2",
    ))
    needs = plan["needs_met"]
    levels = [(c, words.code("plan_needs_met", c)) for c in ("1", "2", "3", "4")]
    n = sum(needs["distribution"].values())
    rows = [share_row(label, {"n": n, "count": needs["distribution"][c], "share": (needs["distribution"][c] / n if n else None)})
            for c, label in levels]
    values = [None if not n or fmt.hidden_n(n) or fmt.hidden_count(needs["distribution"][c])
              else percent(needs["distribution"][c], n) for c, _l in levels]
    title = _("CTI-forløb fordelt efter, i hvor høj grad borgerens behov kunne imødekommes i aktivitetsplanen. Procent.")
    chart = "" if all(v is None for v in values) else charts.bar_chart([l for _c, l in levels], [("", values)], title=title)
    blocks.append(Block(
        _("Figur 7.2"), title, "N = %s" % fmt.show(count(n)),
        _("Skemaer for igangværende forløb i 2. fase med en aktivitetsplan."), ["", *share_columns()], rows,
        chart=chart, empty="" if chart else no_data(), key="f7-2",
        note=_("I høj eller nogen grad: %(share)s %%.") % {"share": fmt.show(pct(needs))},
    ))
    subgroups = report["subgroups"]
    specs = [
        (_("Figur 7.3"), "substance_at_start", _("Misbrug ved opstart"), _("Intet misbrug"),
         _("Mentalt trivselsniveau (WHO-5) for borgere med og uden misbrug ved opstart. Særskilt ved opstart og faser "
           "i CTI-forløbet. Gennemsnitlig score."),
         _("Misbrug: opstartsskemaets spørgsmål 7.1 = ja; reference: nej.")),
        (_("Figur 7.4"), "active_6m", _("Aktive"), _("Inaktive"),
         _("Mentalt trivselsniveau (WHO-5) for borgere, der har modtaget betaling for seksuelle ydelser inden for de "
           "seneste 6 måneder før opstart, og øvrige borgere. Gennemsnitlig score."),
         _("Aktive: seneste betaling under 6 måneder før registreringen; inaktive: 6 måneder eller mere.")),
        (_("Figur 7.5"), "who5_at_risk", _("Depressionstruede"), _("Ikke depressionstruede"),
         _("Mentalt trivselsniveau (WHO-5) for borgere, der er depressionstruede ved opstart, og øvrige borgere. "
           "Gennemsnitlig score."),
         _("Depressionstruet: WHO-5 ved opstart på %(max)s eller derunder.") % {
             "max": report["definitions"]["who5_risk_max"]}),
    ]
    labels = point_labels()
    for number, key, yes_label, no_label, title, definition in specs:
        group = subgroups.get(key)
        if group is None:
            continue  # a subgroup the template does not have
        series = [(label, [fmt.visible(group[g][p]["mean"], group[g][p]["n"]) for p in POINTS])
                  for g, label in (("yes", yes_label), ("no", no_label))]
        chart = "" if all(v is None for _l, vs in series for v in vs) else charts.line_chart(
            list(labels.values()), series, title=title, y_max=100,
            reference=report["definitions"]["who5_risk_max"], reference_label=_("Risikogrænse"))
        rows = [[text(labels[p]), count(group["yes"][p]["n"]), mean(group["yes"][p]["mean"], group["yes"][p]["n"]),
                 count(group["no"][p]["n"]), mean(group["no"][p]["mean"], group["no"][p]["n"])] for p in POINTS]
        note = " ".join([
            _test_note(_("Forskel mellem grupperne ved opstart"), group["start_p"], fmt,
                       (group["yes"]["start"]["n"], group["no"]["start"]["n"])),
            _test_note(_("Ved afslutning"), group["end_p"], fmt, (group["yes"]["end"]["n"], group["no"]["end"]["n"])),
            _test_note(_("%(g)s, opstart mod afslutning") % {"g": yes_label}, group["yes_p"], fmt,
                       (group["yes"]["start"]["n"], group["yes"]["end"]["n"])),
            _test_note(_("%(g)s, opstart mod afslutning") % {"g": no_label}, group["no_p"], fmt,
                       (group["no"]["start"]["n"], group["no"]["end"]["n"])),
        ])
        blocks.append(Block(
            number, title, _("Forløb: %(a)s %(y)s, %(b)s %(n)s.") % {
                "a": fmt.show(count(group["yes"]["courses"])), "y": yes_label.lower(),
                "b": fmt.show(count(group["no"]["courses"])), "n": no_label.lower()},
            definition, ["", f"{yes_label} N", _("Gennemsnit"), f"{no_label} N", _("Gennemsnit")], rows,
            chart=chart, empty="" if chart else no_data(), note=note, key=number.lower().replace(" ", "").replace(".", "-"),
        ))
    return Section(_("Kapitel 7. Implementering og fidelitet"), "", blocks)


def sections(report, fmt, words: Labels | None = None) -> list:
    words = words or Labels()
    return [chapter6(report, fmt, words), chapter7(report, fmt, words)]
