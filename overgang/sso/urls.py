from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from overgang.sso import oidc, saml

app_name = "sso"

# The IdP posts cross-site to the assertion consumer and single logout service: their
# messages are signed, which is what a CSRF token would otherwise prove.
urlpatterns = [
    path("saml2/metadata/", saml.Metadata.as_view(), name="saml_metadata"),
    path("saml2/login/", saml.Login.as_view(), name="saml_login"),
    path("saml2/acs/", csrf_exempt(saml.AssertionConsumer.as_view()), name="saml_acs"),
    path("saml2/ls/", saml.SingleLogout.as_view(), name="saml_ls"),
    path("saml2/ls/post/", csrf_exempt(saml.SingleLogout.as_view()), name="saml_ls_post"),
    path("saml2/logout/", saml.logout_redirect, name="saml_logout"),
    path("oidc/login/", oidc.login, name="oidc_login"),
    path("oidc/callback/", oidc.callback, name="oidc_callback"),
    path("oidc/logout/", oidc.logout_redirect, name="oidc_logout"),
]
