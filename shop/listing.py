"""Extension point for the storefront's product querysets.

The product pages of ``shop`` (home, category, search, detail) pass every product queryset
through :func:`annotate`; apps above ``shop`` add their figures to it in their
``AppConfig.ready()`` (e.g. reviews adds ``review_count`` and ``review_avg``)::

    from shop import listing
    listing.register_annotation(with_rating)

An annotation must keep the queryset a single SQL query (subqueries, not per-row lookups).
"""

_annotations = []


def register_annotation(annotate_queryset):
    if annotate_queryset not in _annotations:  # ready() may run twice in some test set-ups
        _annotations.append(annotate_queryset)


def annotate(products):
    for annotate_queryset in _annotations:
        products = annotate_queryset(products)
    return products


def with_main_image(products):
    """The shop's own annotation: each product's first picture (``Product.main_image``)."""
    return products.with_main_image()
