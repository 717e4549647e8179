"""Security events (logins, failures, lockouts, denied access), kept for at least 180 days."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out")
    ACCESS_DENIED = "access_denied", _("Access denied")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_CONFIRMED = "password_confirmed", _("Password confirmed")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("Personal data exported")


class SecurityEvent(models.Model):
    """An append-only record of a security-relevant event; written by `stations.security.record`."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    def get_absolute_url(self):
        # Security events are for administrators only: they are read in the admin.
        return reverse("admin:stations_securityevent_change", args=[self.pk])
