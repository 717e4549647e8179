"""Text search over leads: the title, the investor's name and the enterprise's name contain the
words typed, whatever the case (Django's `icontains`).

On PostgreSQL the match first goes through bigram indexes (migration 0007): a text contains the
words only if it holds every pair of adjacent characters in them, so the indexes find the
candidates and `icontains` keeps the real matches. Trigram indexes (pg_trgm) cannot serve this:
the common search is two Chinese characters (长沙, 新能), which hold no trigram. A one-character
search, a search for words that most rows hold (公司, 项目: the planner's statistics say so), and
any search on SQLite read the table.

The indexes are on SQL functions that migration 0007 defines (`outpost_bigrams`, and
`outpost_lead_bigrams` of the title and investor's name, upper-cased as `icontains` compares); the
expressions here call the same functions on the same columns, which is what lets the planner use
them.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connections, models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Upper

from .models import Enterprise

LEAD_INDEX, ENTERPRISE_INDEX = "lead_text_bigrams", "enterprise_name_bigrams"
# Above this share of rows holding every pair of the words, reading the table beats the indexes:
# the bitmap of matches outgrows work_mem and turns lossy, and each row of its pages then has its
# pairs computed again (公司, in every enterprise's name: 3.9 s, against 0.5 s for reading all).
INDEX_MAX_SHARE = 0.1
STATS_CACHE_SECONDS = 600  # ANALYZE refreshes the statistics far less often

_GRAMS = ArrayField(models.TextField())


class _Bigrams(Func):
    function = "outpost_bigrams"
    output_field = _GRAMS


class _LeadBigrams(Func):
    function = "outpost_lead_bigrams"
    output_field = _GRAMS


class _AnyOf(Func):
    """`value = ANY(array)`: the planner reads it through the value's index, and can join it to
    other indexed conditions with OR (an `IN (subquery)` beside an OR is a filter on every row)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def matching(leads, words: str):
    """`leads` whose title, investor's name or enterprise's name contains `words` (any case)."""
    exact = Q(title__icontains=words) | Q(investor_name__icontains=words)
    in_name = Q(enterprise__name__icontains=words)
    connection = connections[leads.db]
    if connection.vendor != "postgresql" or len(words) < 2 or max(
            _share(connection, index, words) for index in (LEAD_INDEX, ENTERPRISE_INDEX)) > INDEX_MAX_SHARE:
        return leads.filter(exact | in_name)
    wanted = _Bigrams(Upper(Value(words, output_field=models.TextField())))
    enterprises = (Enterprise.objects.alias(grams=_Bigrams(Upper("name")))
                   .filter(grams__contains=wanted, name__icontains=words).order_by().values("pk"))
    of_enterprise = Q(_AnyOf(F("enterprise_id"), ArraySubquery(enterprises)))
    # The first condition is exactly what the indexes answer (so the planner does not compute the
    # bigrams again for each candidate), the second keeps the real matches among the candidates.
    return (leads.alias(grams=_LeadBigrams(F("title"), F("investor_name")))
            .filter(Q(grams__contains=wanted) | of_enterprise, exact | of_enterprise))


def _share(connection, index: str, words: str) -> float:
    """The share of rows whose pairs in `index` include every pair of `words`, as the planner's
    statistics estimate it: the frequency of the rarest pair among the most common elements that
    ANALYZE keeps, and 0 for a pair rare enough not to be kept (or before any ANALYZE). Only the
    choice of plan rests on it, never which leads match."""
    key = f"leads:search-stats:{connection.alias}:{index}"
    frequencies = cache.get(key)
    if frequencies is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                           "WHERE tablename = %s", [index])
            row = cursor.fetchone()
        frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        cache.set(key, frequencies, STATS_CACHE_SECONDS)
    upper = words.upper()
    return min((frequencies.get(upper[i:i + 2], 0.0) for i in range(len(upper) - 1)), default=0.0)
