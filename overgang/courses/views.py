import datetime as dt
from contextlib import nullcontext
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from overgang.accounts.access import get_municipality_for_admin
from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role, User
from overgang.citizens.access import caseload_for_user, can_read_notes, get_citizen_for_user
from overgang.citizens.actions import record_citizen_read, record_citizens_read
from overgang.courses import actions, forms, page, week
from overgang.courses import caseload as lists
from overgang.courses.actions import record_caseload_read
from overgang.courses.access import (
    get_activity_for_author,
    get_activity_for_user,
    get_contact_for_author,
    get_course_for_user,
    get_focus_area_for_user,
    get_network_member_for_author,
    get_network_member_for_user,
)
from overgang.courses.actions import CourseError
from overgang.courses.models import CourseSettings
from overgang.lib import crypto
from overgang.lib.replica import from_replica
from overgang.programmes import offers

CASE = (Role.WORKER, Role.LEADER)


@require_GET
@role_required(*CASE)
def caseload(request):
    today = dt.date.today()
    citizens = caseload_for_user(request.user)
    led = request.user.municipalities_as(Role.LEADER)
    workers = User.objects.filter(memberships__municipality__in=led, memberships__role=Role.WORKER).distinct()
    # A leader's list is a dashboard of the municipality: it may come from the read replica.
    with from_replica() if led else nullcontext():
        templates = lists.templates_of(citizens)
        form = forms.CaseloadFilterForm(request.GET or None, templates=templates, workers=workers.order_by(
            "first_name", "last_name", "username") if led else None)
        chosen = form.filters()
        found = lists.listing(citizens, today=today, few=not led, **chosen)
        page_, rows = lists.page(found, request.GET.get("side"), today, templates)
        team = lists.team_sizes(citizens) if led else []
    query = form.query()
    # Pseudonyms beside their phase and due items: a read of every citizen listed on the page.
    record_citizens_read([row["citizen"] for row in rows], actor=request.user, what="caseload")
    return render(request, "courses/caseload.html", {
        "rows": rows, "page": page_, "form": form, "is_leader": bool(led), "sort": chosen["sort"],
        "team": team, "filtered": query != {"vis": "current"}, "many_templates": len(templates) > 1,
        "query": urlencode(query), "sort_query": urlencode({**query, "sort": chosen["sort"]}),
    })


@require_GET
@role_required(*CASE)
def my_week(request):
    """"Min uge": the caseload's due items, most urgent first; a leader's is the team's,
    optionally one worker's (``?medarbejder=<code>``). One audited read for the list."""
    citizens = caseload_for_user(request.user)
    is_leader = request.user.has_role(Role.LEADER)
    workers, chosen = [], None
    if is_leader:
        workers = page.team_workers(citizens)
        wanted = request.GET.get("medarbejder", "")
        chosen = next((w for w in workers if str(w.code) == wanted), None)
        if wanted and chosen is None:
            raise Http404
        if chosen is not None:
            citizens = citizens.filter(worker=chosen)
    team = None
    if is_leader and chosen is None:
        # The whole team: a line per worker (counts only, no citizen) and the most urgent
        # items a page at a time; what is read in full, rendered, linked and audited per
        # request is bounded by the page size, not by the municipality's size (week.team).
        team = week.team(citizens, workers, dt.date.today(), request.GET.get("side"))
        found = team.items
    else:
        found = week.items(citizens, dt.date.today())
    # The keys of the citizens whose activities' words the page shows, from the key store
    # in one query (not one per citizen).
    crypto.request_or_new_keys().prefetch({item.citizen.data_key for item in found if item.kind == "activity"
                                           and can_read_notes(request.user, item.citizen)})
    shown = {item.citizen.municipality for item in found}
    # Pseudonyms beside what is due (and the activities' words): as the caseload, a read
    # of every citizen listed on the page, so each citizen's own access log shows it.
    record_citizens_read(list({item.citizen.pk: item.citizen for item in found}.values()), actor=request.user,
                         what="week")
    record_caseload_read(request.user, what="week", citizens=len({item.citizen.pk for item in found}), items=len(found),
                         municipality=shown.pop() if len(shown) == 1 else None)
    late = [item for item in found if item.late]
    return render(request, "courses/week.html", {
        "late": page.week_rows(request, late),
        "soon": page.week_rows(request, [item for item in found if not item.late]),
        "late_total": len(late), "soon_total": len(found) - len(late),
        "summary": team.summary if team else [], "team": team,
        "summary_total": {key: sum(line[key] for line in team.summary) for key in ("late", "soon", "draft", "no_contact")}
        if team else None,
        "is_leader": is_leader, "workers": workers, "chosen": chosen, "today": dt.date.today(),
    })


@require_GET
@role_required(*CASE)
def citizen_page(request, code):
    citizen = get_citizen_for_user(request, code)
    record_citizen_read(citizen, actor=request.user, what="overview")
    return render(request, "courses/citizen.html", page.citizen_context(request, citizen))


def _rerender(request, course, **bound):
    record_citizen_read(course.citizen, actor=request.user, what="overview")
    ctx = page.citizen_context(request, course.citizen, course=course, bound=bound)
    return render(request, "courses/citizen.html", ctx, status=400)


def _done(request, course, message):
    messages.success(request, message)
    return redirect("courses:citizen", code=course.citizen.code)


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def first_contact(request, code):
    """The first contact: first the template the contact period follows (skipped when the
    municipality offers one), then the contact itself."""
    citizen = get_citizen_for_user(request, code, write=True)
    record_citizen_read(citizen, actor=request.user, what="first_contact")
    offered = offers.offered(citizen.municipality)
    chosen = request.POST.get("template") if request.method == "POST" else request.GET.get("skabelon")
    if len(offered) == 1:
        chosen = offered[0].name
    offer = next((o for o in offered if o.name == chosen), None)
    if offer is None:
        choice = forms.TemplateChoiceForm(request.GET if chosen else None, offered=offered)
        if chosen:
            choice.is_valid()  # names the unknown choice
        return render(request, "courses/first_contact_template.html", {"citizen": citizen, "form": choice},
                      status=400 if chosen else 200)
    form = forms.FirstContactForm(request.POST if request.method == "POST" else None, template=offer.template)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "template"}
        try:
            actions.do_register_first_contact(citizen, actor=request.user, template=offer.name, **data)
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Den første kontakt er registreret. Kontaktperioden er begyndt."))
            return redirect("courses:citizen", code=citizen.code)
    return render(request, "courses/first_contact.html",
                  {"citizen": citizen, "form": form, "offer": offer, "choices": len(offered) > 1},
                  status=400 if form.errors else 200)


def _course_post(request, code, form_class, apply, message, key):
    """Validate one small form of the citizen's page, apply one action, or show the page again."""
    course = get_course_for_user(request, code, write=True)
    form = form_class(request.POST, prefix=key)
    if form.is_valid():
        try:
            apply(course, form.cleaned_data)
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, course, message)
    return _rerender(request, course, **{key: form})


@require_POST
@role_required(*CASE)
def contact_add(request, code):
    return _course_post(
        request, code, forms.ContactForm,
        lambda course, d: actions.do_log_contact(course, actor=request.user, **forms.ContactForm.values_of(d)),
        _("Kontakten er registreret."), "contact",
    )


@require_POST
@role_required(*CASE)
def start(request, code):
    return _course_post(
        request, code, forms.DateForm,
        lambda course, d: actions.do_start_course(course, actor=request.user, start_date=d["date"]),
        _("Forløbet er startet. De første skemaer er nu til udfyldning."), "start",
    )


@require_POST
@role_required(*CASE)
def not_started(request, code):
    course = get_course_for_user(request, code, write=True)
    try:
        actions.do_close_not_started(course, actor=request.user)
    except CourseError as exc:
        messages.error(request, str(exc))
        return redirect("courses:citizen", code=course.citizen.code)
    return _done(request, course, _("Kontaktperioden er afsluttet uden forløb."))


@require_POST
@role_required(*CASE)
def phase(request, code):
    """Move to the next phase; before the expected month, first ask (naming what the
    current phase is for) and only a second POST with ``confirm=early`` does it."""
    course = get_course_for_user(request, code, write=True)
    form = forms.DateForm(request.POST, prefix="phase")
    if form.is_valid():
        date = form.cleaned_data["date"]
        try:
            actions.do_change_phase(course, actor=request.user, date=date,
                                    early_confirmed=request.POST.get("confirm") == "early")
        except actions.EarlyPhaseChange:
            record_citizen_read(course.citizen, actor=request.user, what="phase_confirm")
            return render(request, "courses/confirm_phase.html", page.phase_confirm_context(course, date, form))
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, course, _("Forløbet er gået videre til næste fase. Var det en fejl, kan du fortryde det i dag."))
    return _rerender(request, course, phase=form)


@require_POST
@role_required(*CASE)
def phase_undo(request, code):
    course = get_course_for_user(request, code, write=True)
    try:
        phase = actions.do_undo_phase_change(course, actor=request.user)
    except CourseError as exc:
        messages.error(request, str(exc))
        return redirect("courses:citizen", code=course.citizen.code)
    return _done(request, course, _("Skiftet til fase %(phase)s er fortrudt.") % {"phase": phase})


@require_POST
@role_required(*CASE)
def pause(request, code):
    return _course_post(
        request, code, forms.PauseForm,
        lambda course, d: actions.do_pause(course, actor=request.user, start_date=d["date"], reason=d["reason"],
                                           expected_end=d["expected_end"]),
        _("Forløbet er sat på pause. Kalenderen står stille, til forløbet genoptages. Var det en fejl, kan du fortryde det i dag."),
        "pause",
    )


@require_POST
@role_required(*CASE)
def pause_undo(request, code):
    course = get_course_for_user(request, code, write=True)
    try:
        actions.do_undo_pause(course, actor=request.user)
    except CourseError as exc:
        messages.error(request, str(exc))
        return redirect("courses:citizen", code=course.citizen.code)
    return _done(request, course, _("Pausen er fortrudt, som om den ikke var registreret."))


@require_POST
@role_required(*CASE)
def resume(request, code):
    return _course_post(
        request, code, forms.DateForm,
        lambda course, d: actions.do_resume(course, actor=request.user, end_date=d["date"]),
        _("Forløbet er genoptaget."), "resume",
    )


@require_POST
@role_required(*CASE)
def end(request, code):
    """End the course: first show what the handover still misses and whether the last
    star is due, and end it only on the explicit confirmation (``confirm=end``)."""
    course = get_course_for_user(request, code, write=True)
    form = forms.DateForm(request.POST, prefix="end")
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            if request.POST.get("confirm") != "end":
                actions.check_end_course(course, day)
                record_citizen_read(course.citizen, actor=request.user, what="end_confirm")
                return render(request, "courses/confirm_end.html", page.end_review(course, day, form))
            actions.do_end_course(course, actor=request.user, end_date=day)
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, course, _("Forløbet er afsluttet."))
    return _rerender(request, course, end=form)


@require_POST
@role_required(*CASE)
def record_new(request, code):
    course = get_course_for_user(request, code, write=True)
    form = forms.RecordStartForm(request.POST, prefix="record", instruments=page.allowed_instruments(course))
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = actions.do_start_course_record(
                course, data["instrument"], actor=request.user, filled_on=data["filled_on"], respondent=data["respondent"]
            )
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("measurements:fill", code=record.code, page=1)
    return _rerender(request, course, record=form)


@require_POST
@role_required(*CASE)
def record_due(request, code, instrument, number):
    """One tap on a due row: open its draft or start it with the right time point."""
    course = get_course_for_user(request, code, write=True)
    form = forms.DueForm(request.POST)
    respondent = form.cleaned_data["respondent"] if form.is_valid() else ""
    if instrument == "star":
        respondent = respondent or "citizen"
    else:
        respondent = ""
    try:
        record, _created = actions.do_open_due_record(course, instrument, number, actor=request.user,
                                                      filled_on=dt.date.today(), respondent=respondent)
    except CourseError as exc:
        messages.error(request, str(exc))
        return redirect("courses:citizen", code=course.citizen.code)
    return redirect("measurements:fill", code=record.code, page=1)


# --- activity plan --------------------------------------------------------------------


@require_GET
@role_required(*CASE)
def plan(request, code):
    course = get_course_for_user(request, code)
    record_citizen_read(course.citizen, actor=request.user, what="plan")
    return render(request, "courses/plan.html", page.plan_context(request, course))


def _plan_post(request, course, key, form, apply, message, target="courses:plan"):
    if form.is_valid():
        try:
            apply(form.cleaned_data)
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return redirect(target, code=course.code)
    record_citizen_read(course.citizen, actor=request.user, what=target.split(":")[1])
    template = {"courses:plan": "courses/plan.html", "courses:network": "courses/network.html",
                "courses:handover": "courses/handover.html"}[target]
    context = {"courses:plan": page.plan_context, "courses:network": page.network_context,
               "courses:handover": page.handover_context}[target](request, course, bound={key: form})
    return render(request, template, context, status=400)


@require_POST
@role_required(*CASE)
def focus_add(request, code):
    course = get_course_for_user(request, code, write=True)
    return _plan_post(request, course, "focus", forms.FocusAreaForm(request.POST),
                      lambda d: actions.do_add_focus_area(course, actor=request.user, **d), _("Fokusområdet er tilføjet."))


def _removal_warning(activities):
    if not activities:
        return _("Fokusområdet fjernes fra planen. Det kan ikke fortrydes.")
    return ngettext("Fokusområdet og dets ene aktivitet fjernes fra planen. Det kan ikke fortrydes.",
                    "Fokusområdet og dets %(n)s aktiviteter fjernes fra planen. Det kan ikke fortrydes.",
                    activities) % {"n": activities}


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def focus_remove(request, code):
    """GET asks (naming the area, its goal and the activities that go with it); POST removes."""
    focus = get_focus_area_for_user(request, code, write=True)
    course = focus.course
    if request.method == "GET":
        record_citizen_read(course.citizen, actor=request.user, what="focus_remove")
        return render(request, "courses/confirm_remove.html", {
            "course": course, "citizen": course.citizen, "back": "courses:plan",
            "title": _("Fjern fokusområdet «%(area)s»?") % {"area": focus.get_area_display()},
            "lines": [_("Borgerens mål: %(goal)s") % {"goal": focus.get_goal() or "–"},
                      _("Fase %(phase)s") % {"phase": focus.phase}],
            "warning": _removal_warning(focus.activities.count()),
            "button": _("Ja, fjern fokusområdet"),
        })
    actions.do_remove_focus_area(focus, actor=request.user)
    messages.success(request, _("Fokusområdet er fjernet fra planen."))
    return redirect("courses:plan", code=course.code)


@require_POST
@role_required(*CASE)
def activity_add(request, code):
    focus = get_focus_area_for_user(request, code, write=True)
    return _plan_post(request, focus.course, f"activity_{focus.code}", forms.ActivityForm(request.POST, focus=focus),
                      lambda d: actions.do_add_activity(focus, actor=request.user, **d), _("Aktiviteten er tilføjet."))


@require_POST
@role_required(*CASE)
def activity_status(request, code):
    activity = get_activity_for_user(request, code, write=True)
    course = activity.focus_area.course
    form = forms.ActivityStatusForm(request.POST)
    if form.is_valid():
        actions.do_set_activity_status(activity, actor=request.user, status=form.cleaned_data["status"])
        messages.success(request, _("Aktivitetens status er gemt."))
    else:
        messages.error(request, _("Vælg en gyldig status."))
    return redirect("courses:plan", code=course.code)


@require_POST
@role_required(*CASE)
def plan_event(request, code):
    course = get_course_for_user(request, code, write=True)
    return _plan_post(request, course, "event", forms.PlanEventForm(request.POST),
                      lambda d: actions.do_add_plan_event(course, actor=request.user, **d), _("Evalueringen er registreret."))


# --- support network and handover ------------------------------------------------------


@require_GET
@role_required(*CASE)
def network(request, code):
    course = get_course_for_user(request, code)
    record_citizen_read(course.citizen, actor=request.user, what="network")
    return render(request, "courses/network.html", page.network_context(request, course))


@require_POST
@role_required(*CASE)
def network_add(request, code):
    course = get_course_for_user(request, code, write=True)
    return _plan_post(request, course, "member", forms.NetworkMemberForm(request.POST),
                      lambda d: actions.do_add_network_member(course, actor=request.user, **d),
                      _("Personen er tilføjet til netværket."), target="courses:network")


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def network_remove(request, code):
    member = get_network_member_for_user(request, code, write=True)
    course = member.course
    if request.method == "GET":
        record_citizen_read(course.citizen, actor=request.user, what="network_remove")
        return render(request, "courses/confirm_remove.html", {
            "course": course, "citizen": course.citizen, "back": "courses:network",
            "title": _("Fjern «%(name)s» fra netværket?") % {"name": member.get_name()},
            "lines": [member.get_role_display()],
            "warning": _("Personen og kontaktoplysningerne fjernes. Det kan ikke fortrydes."),
            "button": _("Ja, fjern personen"),
        })
    actions.do_remove_network_member(member, actor=request.user)
    messages.success(request, _("Personen er fjernet fra netværket."))
    return redirect("courses:network", code=course.code)


@require_GET
@role_required(*CASE)
def handover(request, code):
    course = get_course_for_user(request, code)
    record_citizen_read(course.citizen, actor=request.user, what="handover")
    return render(request, "courses/handover.html", page.handover_context(request, course))


@require_POST
@role_required(*CASE)
def handover_meeting(request, code):
    course = get_course_for_user(request, code, write=True)
    return _plan_post(request, course, "meeting", forms.HandoverMeetingForm(request.POST),
                      lambda d: actions.do_add_handover_meeting(course, actor=request.user, **d),
                      _("Mødet er registreret."), target="courses:handover")


@require_POST
@role_required(*CASE)
def long_term_plan(request, code):
    course = get_course_for_user(request, code, write=True)
    return _plan_post(request, course, "long_term", forms.LongTermPlanForm(request.POST),
                      lambda d: actions.do_set_long_term_plan(course, actor=request.user, text=d["text"]),
                      _("Den langsigtede plan er gemt."), target="courses:handover")


# --- reassignment, printout, settings ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.LEADER)
def reassign(request, code):
    citizen = get_citizen_for_user(request, code)
    if not request.user.has_role(Role.LEADER, citizen.municipality):
        return render(request, "errors/403.html", status=403)
    record_citizen_read(citizen, actor=request.user, what="reassign")
    form = forms.ReassignForm(request.POST or None, citizen=citizen)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_reassign(citizen, actor=request.user, **form.cleaned_data)
        except CourseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Borgeren har fået ny CTI-medarbejder."))
            return redirect("courses:citizen", code=citizen.code)
    return render(request, "courses/reassign.html", {"citizen": citizen, "form": form}, status=400 if form.errors else 200)


@require_GET
@role_required(*CASE)
def printout(request, code):
    from overgang.courses import printout as pdf

    course = get_course_for_user(request, code)
    if not can_read_notes(request.user, course.citizen):
        # The printout carries the citizen's own goals: only their worker prints it.
        return render(request, "errors/403.html", status=403)
    return pdf.response(request, course)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def course_settings(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    row = CourseSettings.for_municipality(municipality)
    form = forms.CourseSettingsForm(request.POST or None, instance=CourseSettings.for_municipality(municipality))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        actions.do_change_course_settings(row, actor=request.user, **values)
        messages.success(request, _("Ændringerne er gemt. De gælder for forløb, der starter herefter."))
        return redirect("courses:settings", municipality=municipality.code)
    return render(request, "courses/settings.html", {"municipality": municipality, "form": form},
                  status=400 if form.errors else 200)




# --- corrections by the author ------------------------------------------------------------


def _correct(request, obj, course, form_class, apply, *, title, back, what):
    """GET: the entry's form filled in (an audited read); POST: save the correction."""
    # The form shows the entry (and the page the pseudonym): a read, whether it is the
    # GET or a refused POST shown again.
    record_citizen_read(course.citizen, actor=request.user, what=what)
    if request.method == "GET":
        form = form_class(initial=form_class.initial_for(obj))
    else:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                changed = apply(form.cleaned_data)
            except CourseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Rettelsen er gemt.") if changed else _("Der var ingen ændringer at gemme."))
                return redirect(back, code=course.citizen.code if back == "courses:citizen" else course.code)
    context = {"course": course, "citizen": course.citizen, "form": form, "title": title, "back": back,
               "back_code": course.citizen.code if back == "courses:citizen" else course.code}
    return render(request, "courses/correct.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def contact_edit(request, code):
    contact = get_contact_for_author(request, code)
    return _correct(
        request, contact, contact.course, forms.ContactCorrectionForm,
        lambda d: actions.do_change_contact(contact, actor=request.user, **forms.ContactForm.values_of(d)),
        title=_("Ret kontakten"), back="courses:citizen", what="contact_edit",
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def activity_edit(request, code):
    activity = get_activity_for_author(request, code)
    return _correct(
        request, activity, activity.focus_area.course, forms.ActivityCorrectionForm,
        lambda d: actions.do_change_activity(activity, actor=request.user, **d),
        title=_("Ret aktiviteten"), back="courses:plan", what="activity_edit",
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASE)
def network_edit(request, code):
    member = get_network_member_for_author(request, code)
    return _correct(
        request, member, member.course, forms.NetworkMemberCorrectionForm,
        lambda d: actions.do_change_network_member(member, actor=request.user, **d),
        title=_("Ret personen i netværket"), back="courses:network", what="network_edit",
    )
