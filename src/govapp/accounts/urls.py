from django.contrib.auth import views as auth_views
from django.urls import path

from .views import admin, second_factor, signin, sso

app_name = "accounts"
urlpatterns = [
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", signin.security, name="security"),
    path("password/change/", signin.password_change, name="password_change"),
    path("password/change/done/", signin.password_change_done, name="password_change_done"),
    path("password/reset/", signin.password_reset, name="password_reset"),
    path("password/reset/sent/", signin.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", signin.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/complete/", signin.password_reset_complete, name="password_reset_complete"),
    path("second-factor/", second_factor.verify, name="second_factor_verify"),
    path("second-factor/enrol/", second_factor.enrol, name="second_factor_enrol"),
    path("second-factor/recovery-codes/", second_factor.new_recovery_codes, name="recovery_codes"),
    path("sso/oidc/", sso.oidc_start, name="oidc_start"),
    path("sso/oidc/callback/", sso.oidc_callback, name="oidc_callback"),
    path("sso/cas/", sso.cas_start, name="cas_start"),
    path("sso/cas/callback/", sso.cas_callback, name="cas_callback"),
    path("sso/result/", sso.sso_result, name="sso_result"),
    path("admin/lockouts/", admin.lockouts, name="admin_lockouts"),
    path("admin/lockouts/<int:attempt_id>/lift/", admin.lockout_lift, name="admin_lockout_lift"),
    path("admin/identities/", admin.identities, name="admin_identities"),
    path("admin/identities/<int:identity_id>/map/", admin.identity_map, name="admin_identity_map"),
    path("admin/second-factors/", admin.second_factors, name="admin_second_factors"),
    path(
        "admin/second-factors/<int:user_id>/reset/",
        admin.second_factor_reset,
        name="admin_second_factor_reset",
    ),
]
