"""Pagination for lists whose filters the database estimates poorly."""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """A `Paginator` over a queryset that reads a page in two queries: the page's primary keys,
    from the queryset's own table with its filters and order (no related rows), then those rows
    with everything the queryset selects, in the same order.

    Why: PostgreSQL estimates a condition over several indexes (the lead search's bigrams, or an
    enterprise match) at a row or two; planning the related rows' joins for that, it scans a small
    table once per matching row (70 ms for 1,800 leads). Fifty keys it estimates exactly.
    """

    def __init__(self, object_list, per_page, *, count: int | None = None, **options):
        """`count`: the number of objects when the caller already knows it (a cached figure),
        instead of counting them again."""
        super().__init__(object_list, per_page, **options)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its value

    def _get_page(self, object_list, number, paginator):
        keys = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)} if keys else {}
        # A row deleted between the two queries is left out rather than shown half-read.
        return super()._get_page([rows[key] for key in keys if key in rows], number, paginator)
