from django.urls import path

from overgang.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_verify, name="totp_verify"),
    path("login/totp/tilmeld/", views.totp_enrol, name="totp_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("konto/", views.account, name="account"),
    path("konto/log-ud-overalt/", views.logout_everywhere, name="logout_everywhere"),
    path("evaluator/", views.evaluator_home, name="evaluator_home"),
    path("administration/<uuid:municipality>/brugere/", views.admin_users, name="admin_users"),
    path("administration/<uuid:municipality>/brugere/ny/", views.admin_user_new, name="admin_user_new"),
    path("administration/<uuid:municipality>/brugere/<uuid:code>/", views.admin_user_edit, name="admin_user_edit"),
    path(
        "administration/<uuid:municipality>/brugere/<uuid:code>/nulstil-totp/",
        views.admin_user_reset_totp,
        name="admin_user_reset_totp",
    ),
    path(
        "administration/<uuid:municipality>/brugere/<uuid:code>/arbejdstid/",
        views.admin_user_working_time,
        name="admin_user_working_time",
    ),
    path("administration/<uuid:municipality>/kommune/", views.admin_municipality, name="admin_municipality"),
    path("administration/<uuid:municipality>/evaluatorer/", views.admin_grant_evaluator, name="admin_grant_evaluator"),
]
