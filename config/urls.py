"""The project's URL map. Every view behind it decides access in `stations.permissions`."""

from django.contrib import admin
from django.urls import include, path

from stations import account_views

urlpatterns = [
    path("", include("stations.urls")),
    path("leads/", include("leads.urls")),
    path("scoring/", include("scoring.urls")),
    path("funding/", include("funding.urls")),
    path("accounts/login/", account_views.OutpostLoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.OutpostLogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.OutpostPasswordChangeView.as_view(), name="password_change"),
    path("accounts/confirm-password/", account_views.PasswordConfirmView.as_view(), name="password_confirm"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", account_views.favicon, name="favicon"),
]

handler403 = "stations.account_views.permission_denied"
handler404 = "stations.account_views.page_not_found"
handler500 = "stations.account_views.server_error"
