"""The project's URLs plus two framework-floor views, for the benchmark server only.

`bench/trivial/` answers without touching the session or the database: what Django, the
middleware and gunicorn cost. `bench/trivial-user/` loads the session and the user, as every
logged-in page does, and nothing else. Production's URLconf (`config.urls`) never has them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def trivial_user(request):
    return HttpResponse(f"ok {request.user.get_username()}", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/trivial-user/", trivial_user, name="bench_trivial_user"),
    *project_urlpatterns,
]
