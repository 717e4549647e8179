"""A URL conf with a view that fails, to test the error page with DEBUG off."""

from django.urls import path

from config.urls import handler500  # noqa: F401  (the same error handler as the site)


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom)]
