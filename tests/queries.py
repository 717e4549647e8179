"""Counting queries around the warnings' snapshot, whose one bulk INSERT a database may split."""

import math

from django.db import connection

from stations.models import StoredWarning


def snapshot_batches(queries) -> int:
    """The extra INSERT batches (beyond one) that wrote the warnings' snapshot in `queries` (a
    `CaptureQueriesContext`), after checking that there are no more than the stored rows need
    (so that a row-by-row INSERT is not excused).

    `bulk_create` splits its INSERT at the database's bound-parameter limit (SQLite: 999, about
    110 warnings; PostgreSQL: 65,535). That is the only count a page may grow by with the data,
    and only by whole batches: a query-count test subtracts them.
    """
    inserts = sum('INSERT INTO "stations_storedwarning"' in query["sql"] for query in queries.captured_queries)
    if not inserts:
        return 0
    fields = [field for field in StoredWarning._meta.concrete_fields if not field.primary_key]
    rows = list(StoredWarning.objects.all())
    # The rows stored now bound those this request wrote (it may have refreshed some teams only).
    assert inserts <= math.ceil(len(rows) / connection.ops.bulk_batch_size(fields, rows))
    return inserts - 1
