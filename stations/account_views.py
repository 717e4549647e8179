"""Login, logout, password change and confirmation, language switch and error pages."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .models.security import SecurityEventKind
from .permissions import OutsideScope
from .security import mark_password_confirmed, record

logger = logging.getLogger("outpost.security")


class OutpostLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class OutpostLogoutView(auth_views.LogoutView):
    pass


def password_is_right(request, password) -> bool:
    """Check the signed-in user's password through the authentication backends, so that failures
    count towards the login lock-out (django-axes) exactly like failed logins."""
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_is_right(self.request, password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the old password checked through the backends (counted by axes)."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_is_right(self.request, old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


def _locked_out(request):
    """After too many wrong passwords the session ends: the user must log in again later."""
    if getattr(request, "axes_locked_out", False):
        record(SecurityEventKind.LOCKED_OUT, request=request, detail="password re-entry")
        logout(request)
        return redirect("login")
    return None


@method_decorator(login_required, name="dispatch")
class OutpostPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("stations:home")
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        return _locked_out(self.request) or super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        record(SecurityEventKind.PASSWORD_CHANGED, request=self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response


@method_decorator(login_required, name="dispatch")
class PasswordConfirmView(View):
    """Ask for the password again before a sensitive action (money, personal data)."""

    template_name = "registration/password_confirm.html"

    def _next(self):
        target = self.request.POST.get("next") or self.request.GET.get("next") or "/"
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                               require_https=self.request.is_secure())
        return target if safe else "/"

    def get(self, request):
        return render(request, self.template_name, {"form": PasswordConfirmForm(request=request), "next": self._next()})

    def post(self, request):
        form = PasswordConfirmForm(request.POST, request=request)
        if form.is_valid():
            mark_password_confirmed(request)
            record(SecurityEventKind.PASSWORD_CONFIRMED, request=request)
            return redirect(self._next())
        return _locked_out(request) or render(request, self.template_name, {"form": form, "next": self._next()})


set_language = require_POST(django_set_language)


def permission_denied(request, exception=None):
    record(SecurityEventKind.ACCESS_DENIED, request=request, detail="403")
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if isinstance(exception, OutsideScope):
        record(SecurityEventKind.ACCESS_DENIED, request=request, detail="404 outside scope")
    return render(request, "404.html", status=404)


def server_error(request):
    # Django has already logged the exception on django.request. Render without the request
    # context: whatever failed (the database, say) must not fail the error page too.
    return HttpResponseServerError(loader.get_template("500.html").render())


def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def csrf_failure(request, reason=""):
    """A refused form (missing or stale CSRF token): usually a page left open too long."""
    record(SecurityEventKind.ACCESS_DENIED, request=request, detail=f"csrf: {reason}"[:300])
    return render(request, "403_csrf.html", status=403)
