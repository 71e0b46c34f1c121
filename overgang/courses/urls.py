from django.urls import path

from overgang.courses import views

app_name = "courses"

urlpatterns = [
    path("borgere/", views.caseload, name="caseload"),
    path("min-uge/", views.my_week, name="week"),
    path("borgere/<uuid:code>/overblik/", views.citizen_page, name="citizen"),
    path("borgere/<uuid:code>/kontakt/", views.first_contact, name="first_contact"),
    path("borgere/<uuid:code>/ny-medarbejder/", views.reassign, name="reassign"),
    path("forloeb/<uuid:code>/kontakter/", views.contact_add, name="contact_add"),
    path("forloeb/<uuid:code>/start/", views.start, name="start"),
    path("forloeb/<uuid:code>/ikke-startet/", views.not_started, name="not_started"),
    path("forloeb/<uuid:code>/fase/", views.phase, name="phase"),
    path("forloeb/<uuid:code>/fase/fortryd/", views.phase_undo, name="phase_undo"),
    path("forloeb/<uuid:code>/pause/", views.pause, name="pause"),
    path("forloeb/<uuid:code>/pause/fortryd/", views.pause_undo, name="pause_undo"),
    path("forloeb/<uuid:code>/genoptag/", views.resume, name="resume"),
    path("forloeb/<uuid:code>/afslut/", views.end, name="end"),
    path("forloeb/<uuid:code>/skemaer/", views.record_new, name="record_new"),
    path("forloeb/<uuid:code>/udfyld/<slug:instrument>/<int:number>/", views.record_due, name="record_due"),
    path("kontakter/<uuid:code>/ret/", views.contact_edit, name="contact_edit"),
    path("forloeb/<uuid:code>/plan/", views.plan, name="plan"),
    path("forloeb/<uuid:code>/plan/fokus/", views.focus_add, name="focus_add"),
    path("forloeb/<uuid:code>/plan/evaluering/", views.plan_event, name="plan_event"),
    path("fokus/<uuid:code>/slet/", views.focus_remove, name="focus_remove"),
    path("fokus/<uuid:code>/aktiviteter/", views.activity_add, name="activity_add"),
    path("aktiviteter/<uuid:code>/status/", views.activity_status, name="activity_status"),
    path("aktiviteter/<uuid:code>/ret/", views.activity_edit, name="activity_edit"),
    path("forloeb/<uuid:code>/netvaerk/", views.network, name="network"),
    path("forloeb/<uuid:code>/netvaerk/ny/", views.network_add, name="network_add"),
    path("netvaerk/<uuid:code>/slet/", views.network_remove, name="network_remove"),
    path("netvaerk/<uuid:code>/ret/", views.network_edit, name="network_edit"),
    path("forloeb/<uuid:code>/overdragelse/", views.handover, name="handover"),
    path("forloeb/<uuid:code>/overdragelse/moede/", views.handover_meeting, name="handover_meeting"),
    path("forloeb/<uuid:code>/overdragelse/plan/", views.long_term_plan, name="long_term_plan"),
    path("forloeb/<uuid:code>/udskrift.pdf", views.printout, name="printout"),
    path("administration/<uuid:municipality>/forloeb/", views.course_settings, name="settings"),
]
