"""`/health/` for load balancers and monitoring: is this app server able to serve?

Contract: GET without login; one `SELECT 1` on the default database and nothing else — no
session, no login throttling, no security event, no migration check (a balancer calls it every
few seconds on every server). 200 `{"status": "ok"}` when the query answers; 503
`{"status": "error", "database": "unavailable"}`, logged, when it fails; never cached.
`SECURE_REDIRECT_EXEMPT` lets a balancer probe it over plain HTTP; its `Host` header must still
be one of `ALLOWED_HOSTS`.
"""

import logging
from http import HTTPStatus

from django.db import Error as DatabaseError
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


# Exempt from CSRF so that any other method is a plain 405: a refused token would record a security
# event, a database write, on the one URL that must work when the database does not.
@csrf_exempt
@never_cache
@require_GET
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # One line, no traceback: during an outage every probe of every balancer lands here.
        logger.error("health check: database unavailable: %s", str(error).strip() or type(error).__name__)
        return JsonResponse(
            {"status": "error", "database": "unavailable"}, status=HTTPStatus.SERVICE_UNAVAILABLE
        )
    return JsonResponse({"status": "ok"})
