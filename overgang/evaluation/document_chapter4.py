"""Chapter 4 of the human report: the citizens in CTI courses.

Titles are SFI's (sfi-analyses.md §4); each block reads ``report["descriptives"]``. A row
that is one code (or one item of a grid) is labelled by the codebook (``Labels``); a
row that groups codes is the report's own.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from overgang.evaluation.definitions import SFI_COURSE_MONTHS, course_length_bounds
from overgang.evaluation.document import (
    Block, Labels, Section, _n_of, _rows, _simple, by_length, count, cutoff, lengths_note, pct, percent, planned_lengths,
    pval, share_columns, share_row, text,
)
from overgang.lib import charts


def _distribution_chart(table, keys, labels, title, fmt):
    shares = []
    for key in keys:
        cell = table.get(key, {})
        value = fmt.visible(cell.get("share"), cell.get("n"))
        if value is None or fmt.hidden_count(cell.get("count")):
            shares.append(None)
        else:
            shares.append(percent(cell["count"], cell["n"]))  # the table's rounding: half up
    if all(v is None for v in shares):
        return ""
    return charts.bar_chart(labels, [("", shares)], title=title, y_max=100)


def course_length_labels(report) -> list:
    """Table 4.2's groups worded by the planned lengths of the report's courses (SFI's for
    12 months: "inden for de første 6 mdr." … "efter 13 mdr. eller senere"); a group that
    every length leaves empty is left out."""
    lengths = planned_lengths(report)

    def bound(key, side):
        return lambda m: None if course_length_bounds(m)[key] is None else course_length_bounds(m)[key][side]

    out = [("le6", _("Afsluttet inden for de første %(months)s mdr.") % {"months": by_length(report, bound("le6", 1))})]
    for key in ("m7_9", "m10_11"):
        if all(course_length_bounds(m)[key] is None for m in lengths):
            continue
        low, high = by_length(report, bound(key, 0)), by_length(report, bound(key, 1))
        label = (_("Afsluttet ved %(months)s mdr.") % {"months": low} if low == high
                 else _("Afsluttet fra %(low)s til %(high)s mdr.") % {"low": low, "high": high})
        out.append((key, label))
    out.append(("m12", _("Afsluttet ved %(months)s mdr. (planlagt)") % {"months": by_length(report, bound("m12", 0))}))
    out.append(("m13_14", _("Afsluttet efter %(months)s mdr. eller senere") % {
        "months": by_length(report, bound("m13_14", 0))}))
    return out


def chapter4(report, fmt, words: Labels | None = None) -> Section:
    d = report["descriptives"]
    words = words or Labels()
    blocks = []
    # Table 4.1
    t41 = d["table_4_1"]
    rows = [[text(name), count(v["ended"]), count(v["active"]), count(v["total"])] for name, v in t41.items()]
    rows.append([text(_("Total")), count(sum(v["ended"] for v in t41.values())),
                 count(sum(v["active"] for v in t41.values())), count(sum(v["total"] for v in t41.values()))])
    blocks.append(Block(
        _("Tabel 4.1"),
        _("Borgere i CTI-forløb i undersøgelsens datagrundlag, fordelt på projektkommuner. Særskilt for afsluttede "
          "og aktive forløb ved udtrækning af data. Antal."),
        _("Alle startede forløb: N = %(n)s.") % {"n": fmt.show(count(report["counts"]["courses_started"]))},
        _("Forløb med en startdato, efter forløbets status i dag."),
        [_("Kommune"), _("Afsluttede forløb"), _("Aktive forløb"), _("Total")], rows, key="t4-1",
    ))
    # Table 4.2
    cl = report["course_length"]
    rows = [[text(label), count(cl[key])] for key, label in course_length_labels(report)]
    rows += [[text(_("Afslutningsskema, i alt")), count(cl["end_forms"])], [text(_("Afsluttet, i alt")), count(cl["ended"])]]
    blocks.append(Block(
        _("Tabel 4.2"), _("Afsluttede CTI-forløb, opdelt efter forløbets længde. Antal."),
        _("Forløb med afslutningsskema: N = %(n)s.") % {"n": fmt.show(count(cl["end_forms"]))},
        " ".join(filter(None, [_("Måneder i forløb efter afslutningsskemaets spørgsmål 1.1 (pauser tæller ikke med)."),
                               lengths_note(report)])),
        ["", _("Antal")], rows, key="t4-2",
    ))
    # Table 4.3
    t43 = d["table_4_3"]
    reasons = {k: words.code("end_reasons", k) for k in t43["codes"]}
    if "2" in reasons and planned_lengths(report) != [SFI_COURSE_MONTHS]:
        # The form's "12 måneders CTI-forløb afsluttes" is the planned end of a course of
        # any length (code 2); worded by the report's lengths.
        reasons["2"] = _("%(months)s måneders CTI-forløb afsluttes") % {"months": by_length(report, lambda m: m)}
    blocks.append(Block(
        _("Tabel 4.3"),
        _("CTI-forløb, afsluttet før %(months)s måneder af kendte årsager, fordelt efter årsager. Antal.") % {
            "months": by_length(report, lambda m: m)},
        "N = %s" % fmt.show(count(t43["n"])),
        " ".join(filter(None, [
            _("Forløb afsluttet efter højst %(months)s måneder med svar om årsag; der kan være flere årsager pr. "
              "forløb.") % {"months": by_length(report, lambda m: m - 1)}, lengths_note(report)])),
        ["", *share_columns()], [share_row(label, t43["codes"][k]) for k, label in reasons.items()], key="t4-3",
    ))
    # Table 4.4
    t44 = d["table_4_4"]
    labels = [("female", words.answer("gender", 1, "registration")), ("male", words.answer("gender", 2, "registration")),
              ("trans", words.answer("gender", 3, "registration")),
              ("danish", words.answer("citizenship", 1, "registration")),
              ("other_citizenship", words.answer("citizenship", 2, "registration")),
              ("goal_exit", words.code("goal", 1)), ("goal_life", words.code("goal", 2)),
              ("school_basic", _("Uddannelse: grundskole eller tiende klasse")),
              ("school_upper", _("Almen gymnasial uddannelse")),
              ("sex_income", _("Forsørgelse: salg af seksuelle ydelser")), ("substance", _("Misbrug af alkohol eller stoffer"))]
    rows = []
    for key, label in labels:
        row = t44.get(key)
        if row is None:
            continue  # a row the template does not have (per_template.narrow)
        rows.append([text(label), count(row["before10"]["count"]), pct(row["before10"]), count(row["before10"]["n"]),
                     count(row["from10"]["count"]), pct(row["from10"]), count(row["from10"]["n"]),
                     pval(row["p"], row["before10"]["n"], row["from10"]["n"], row["before10"]["count"],
                          row["from10"]["count"])])
    blocks.append(Block(
        _("Tabel 4.4"),
        _("Andelen af borgere, der har afsluttet CTI-forløbet, som har specifikke karakteristika. Særskilt for "
          "afslutningstidspunkt. Antal og pct."),
        _("Forløb med afslutningsskema: før %(cut)s. md. N = %(b)s, %(cut)s. md. eller senere N = %(f)s.") % {
            "cut": cutoff(report), "b": fmt.show(count(report["dropout"]["before10"]["courses"])),
            "f": fmt.show(count(report["dropout"]["from10"]["courses"]))},
        _("Karakteristika fra registreringen og opstartsskemaet; p fra z-test af forskellen mellem grupperne."),
        ["", _("Før %(cut)s. md. antal") % {"cut": cutoff(report)}, _("Pct."), _("N"),
         _("%(cut)s. md. eller senere antal") % {"cut": cutoff(report)}, _("Pct."), _("N"), _("p")],
        rows, key="t4-4",
    ))
    # Table 4.5
    t45 = d["table_4_5"]
    labels = [("female", words.answer("gender", 1, "not_started")), ("male", words.answer("gender", 2, "not_started")),
              ("trans", words.answer("gender", 3, "not_started")),
              ("danish", words.answer("citizenship", 1, "not_started")),
              ("danish_other", _("Statsborgerskab: dansk / andet")),
              ("other_citizenship", _("Statsborgerskab: andet / ukendt")),
              ("referred", _("Sendt videre: ja, eller borgeren kan henvende sig igen")),
              ("not_referred", _("Sendt videre: nej, eller ikke angivet"))]
    blocks.append(Block(
        _("Tabel 4.5"),
        _("Borgere, der har været i kontakt med projektet, men hvor kontakten ikke er resulteret i CTI-forløb, "
          "fordelt efter køn, statsborgerskab, og om de er videresendt til anden indsats. Antal."),
        _("Registreringer af ikke-startede forløb: N = %(n)s.") % {"n": fmt.show(count(report["counts"]["not_started"]))},
        _("Skemaet for forløb, der ikke blev startet."), ["", *share_columns()], _rows(t45, labels), key="t4-5",
    ))
    if "table_4_6" in d:
        blocks.extend(_prostitution_tables(d, fmt, words))
    blocks.append(_simple(
        _("Tabel 4.8"), _("Borgere i projektet, fordelt efter køn, statsborgerskab og alder. Antal og procent."),
        d["table_4_8"],
        [("female", words.code("gender", 1)), ("male", words.code("gender", 2)), ("trans", words.code("gender", 3)),
         ("danish", words.answer("citizenship", 1, "registration")),
         ("other_citizenship", words.answer("citizenship", 2, "registration")),
         ("age_under18", _("Under 18 år")), ("age_18_25", _("18–25 år")), ("age_26_30", _("26–30 år")),
         ("age_31_35", _("31–35 år")), ("age_36_40", _("36–40 år")), ("age_41_50", _("41–50 år")),
         ("age_over50", _("Over 50 år"))],
        _("Alder ved forløbets start, beregnet fra fødselsdatoen i registreringen."), "t4-8", fmt))
    blocks.append(_simple(
        _("Tabel 4.9"),
        _("Borgere i projektet, fordelt efter højeste, færdiggjorte skoleuddannelse og højeste, færdiggjorte "
          "kompetencegivende uddannelse. Antal og procent."),
        d["table_4_9"],
        [("school_0_6", _("1.–6. klasse eller ingen")), ("school_7_10", words.code("school_edu", 3)),
         ("school_upper", _("Gymnasial uddannelse")), ("voc_none", words.code("voc_edu", 1)),
         ("voc_vocational", words.code("voc_edu", 2)), ("voc_higher", _("Videregående uddannelse"))],
        _("Registreringens spørgsmål om skole- og erhvervsuddannelse."), "t4-9", fmt))
    incomes = {c: words.code("income", c) for c in (5, 1, 6, 3, 2, 4, 7, 8, 9)}
    blocks.append(_simple(
        _("Tabel 4.10"),
        _("Andelen af borgere i projektet, der har specifikke primære forsørgelsesgrundlag, og samme borgere, "
          "fordelt efter beskæftigelse. Antal og procent."),
        d["table_4_10"],
        [(f"income_{c}", v) for c, v in incomes.items()] + [
            ("unemployed", words.code("employment", 5)), ("sick_outside", _("Sygemeldt eller uden for arbejdsmarkedet")),
            ("activation", _("Aktivering el. særlige vilkår")), ("education", words.code("employment", 7)),
            ("employed", _("Beskæftiget"))],
        _("Opstartsskemaet (eller skemaet for 1. fase); forsørgelse har flere svar muligt."), "t4-10", fmt))
    blocks.append(_simple(
        _("Tabel 4.11"),
        _("Andelen af borgere i projektet, der har gæld ved opstart, samt fordelt efter gældstype. Antal og procent."),
        d["table_4_11"],
        [("has_debt", _("Har gæld ved opstart")), ("debt_public", words.item("debt_public")),
         ("debt_consumer", words.item("debt_consumer")), ("debt_bank", words.item("debt_bank")),
         ("debt_private", _("Gæld til venner/familie, kæreste/samlever/ægtefælle, andre")),
         ("debt_milieu", _("Gæld til personer inden for misbrugs- eller prostitutionsmiljøet"))],
        _("Gældstyper er andele af borgerne med gæld, der har svaret på typen."), "t4-11", fmt))
    for number, key, item, title, item_text in (
        (_("Figur 4.1"), "figure_4_1", "housing_cost_difficulty",
         _("Borgere i projektet, fordelt efter grad af vanskelighed ved betaling af boligomkostninger. Procent."),
         _("Opstartsskemaets spørgsmål 2.4; 'ved ikke' og 'har ikke bolig' tæller ikke med.")),
        (_("Figur 4.2"), "figure_4_2", "network_lacking",
         _("Borgere i projektet, fordelt efter, i hvor høj grad de giver udtryk for manglende/svagt socialt netværk. Procent."),
         _("Opstartsskemaets spørgsmål 4.1; 'ved ikke' tæller ikke med.")),
    ):
        levels = [(f"level_{c}", words.code(item, c)) for c in (1, 2, 3, 4)]
        block = _simple(number, title, d[key], levels, item_text, number.lower().replace(" ", "").replace(".", "-"), fmt)
        block.chart = _distribution_chart(d[key], [k for k, _l in levels], [l for _k, l in levels], title, fmt)
        block.empty = "" if block.chart else _("Der er ikke data nok til at vise figuren.")
        blocks.append(block)
    challenges = {c: words.code("mental_challenges", c) for c in (2, 1, 5, 4, 11, 9, 10, 7, 6, 3, 8, 12)}
    blocks.append(_simple(
        _("Tabel 4.12"),
        _("Andelen af borgere i projektet, der giver udtryk for psykiske problemer, andelen af disse, der udtrykker "
          "specifikke psykiske vanskeligheder, andelen, der er i behandling målrettet det psykiske helbredsproblem, "
          "samt andel af borgerne, der har et længerevarende fysisk helbredsproblem. Antal og procent."),
        d["table_4_12"],
        [("mental_high_some", _("Psykiske problemer: i høj eller nogen grad")),
         ("mental_little_none", _("I mindre grad eller slet ikke"))]
        + [(f"challenge_{c}", v) for c, v in challenges.items()]
        + [("mental_treatment", _("I behandling målrettet sit psykiske helbred")),
           ("physical_longterm", _("Længerevarende fysisk helbredsproblem eller handicap"))],
        _("CTI-medarbejderens vurdering i opstartsskemaet; vanskelighederne er andele af alle, der har svaret."), "t4-12", fmt))
    blocks.append(_simple(
        _("Tabel 4.13"),
        _("Andelen af borgere i projektet, der vurderes at have et misbrug, samt andelen af borgerne med misbrug, der "
          "har alkoholmisbrug, heroin/kokain/amfetamin-misbrug og hashmisbrug. Antal og procent."),
        d["table_4_13"],
        [("substance", _("Misbrug af alkohol eller stoffer")), ("cannabis", _("Hashmisbrug el.lign.")),
         ("hard_drugs", _("Heroin, kokain, amfetamin el.lign.")), ("alcohol", _("Alkoholmisbrug"))],
        _("Typerne er andele af borgerne med misbrug (i stort, vist eller begrænset omfang)."), "t4-13", fmt))
    if "knows_friends" in d["table_4_14"]:
        t414 = _("Andelen af borgere i projektet, der har ægtefælle/kæreste eller børn, borgere med børn, fordelt "
                 "efter, om de bor sammen med deres yngste barn, samt andelen af borgere i projektet, hvor kæreste, "
                 "søskende, forældre, børn, anden familie eller venner uden for prostitutionsmiljøet har kendskab til "
                 "deres salg af seksuelle ydelser. Antal og procent.")
    else:
        t414 = _("Andelen af borgere i projektet, der har ægtefælle/kæreste eller børn, og borgere med børn, "
                 "fordelt efter, om de bor sammen med deres yngste barn. Antal og procent.")
    blocks.append(_simple(
        _("Tabel 4.14"), t414,
        d["table_4_14"],
        [("partner", _("Har en ægtefælle eller kæreste")), ("children", _("Har børn")),
         ("youngest_lives_with", _("Bor sammen med yngste barn hele tiden eller noget af tiden")),
         ("youngest_not_with", _("Bor slet ikke sammen med yngste barn")),
         *((name, _("Kendskab: %(who)s") % {"who": words.item(name)}) for name in (
             "knows_friends", "knows_partner", "knows_parents", "knows_siblings", "knows_children",
             "knows_other_family"))],
        _("'Irrelevant' og 'ved ikke' tæller ikke med; bopæl med yngste barn er af borgere med børn."), "t4-14", fmt))
    t415 = d.get("table_4_15")
    if t415 is not None:
        blocks.append(_simple(
            _("Tabel 4.15"),
            _("Borgere i projektet, fordelt efter målsætning med CTI-forløb ved opstart. Antal og procent."),
            t415, [("goal_exit", words.code("goal", 1)), ("goal_life", words.code("goal", 2)),
                   ("life_not_paid_last_year", _("Forbedrede livsvilkår: ikke modtaget betaling det seneste år"))],
            _("Målsætningen i registreringen ved oprettelse."), "t4-15", fmt))
    needs = {"need_mental": _("Psykisk helbred"), "need_employment": _("Beskæftigelse eller uddannelse"),
             "need_economy": _("Økonomi"), "need_daily": _("Dagligdag"), "need_housing": _("Bolig"),
             "need_network": _("Netværk"), "need_physical": _("Fysisk helbred"), "need_substance": _("Misbrug")}
    blocks.append(_simple(
        _("Tabel 4.16"),
        _("Andelen af borgere i projektet, der ønsker tilbud inden for hvert enkelt af projektets otte fokusområder. "
          "Antal og procent."),
        d["table_4_16"], list(needs.items()),
        _("Ønsker tilbud = ethvert 'ja' til behovet for tilbud på området; 'ved ikke' tæller ikke med."), "t4-16", fmt))
    return Section(_("Kapitel 4. Borgere i CTI-forløb"), "", blocks)


def _prostitution_tables(d, fmt, words) -> list:
    """Tables 4.6 and 4.7: only in a report whose courses have the prostitution questions."""
    blocks = []
    blocks.append(_simple(
        _("Tabel 4.6"), _("Borgere i projektet, fordelt efter prostitutionsdebut og prostitutionsaktivitet. Antal og procent."),
        d["table_4_6"],
        [("debut_over4y", _("Debut: over 4 år siden")), ("debut_1_4y", _("Debut: mellem 1 og 4 år siden")),
         ("debut_under1y", _("Debut: under 1 år siden")), ("last_over2y", _("Sidst: over 2 år siden")),
         ("last_1_2y", _("Sidst: 1–2 år siden")), ("last_under1y", _("Sidst: under 1 år siden"))],
        _("Registreringens spørgsmål om første og seneste betaling for en seksuel ydelse."), "t4-6", fmt))
    arenas = {c: words.code("arenas", c) for c in (1, 5, 2, 3, 6, 4, 7)}
    payments = {c: words.code("payment", c) for c in (1, 2, 4, 5, 6, 3)}
    blocks.append(_simple(
        _("Tabel 4.7"),
        _("Andelen af borgere med prostitutionserfaring, der har solgt sex på specifikke lokationer, og andelen, "
          "som har modtaget specifikke betalingsformer ved seneste seksuelle ydelse. Antal og procent."),
        d["table_4_7"], [(f"arena_{c}", v) for c, v in arenas.items()] + [(f"payment_{c}", v) for c, v in payments.items()],
        _("Flere svar muligt; andelen er af borgere, der har svaret."), "t4-7", fmt))
    return blocks
