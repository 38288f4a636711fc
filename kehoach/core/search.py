"""The one text matching every list and the search page use.

Each searchable model keeps `search_text`: its words folded by `core.text.fold` (lower case, no
diacritics, đ → d), written by its `save()` or by the service that changes the words it shows. A query
is folded the same way and split into words; a row matches when its `search_text` contains every word,
in any order. The same query runs on SQLite and PostgreSQL; on PostgreSQL a trigram index on each
`search_text` (migration `search.0001_search_text`) serves the `LIKE '%…%'` without reading every row.
"""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from .text import fold, search_terms


def matching(queryset: QuerySet, query: str | None, field: str = "search_text") -> QuerySet:
    """Rows whose folded `field` contains every folded word of `query`; all rows for an empty query."""
    for term in search_terms(query):
        queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset


def phrase_first(query: str | None, field: str = "search_text") -> Case | Value:
    """An ordering expression: 0 where the whole query occurs as typed (folded), 1 elsewhere."""
    terms = search_terms(query)
    if len(terms) < 2:
        return Value(0, output_field=IntegerField())
    return Case(
        When(**{f"{field}__contains": " ".join(terms)}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


__all__ = ["fold", "matching", "phrase_first", "search_terms"]
