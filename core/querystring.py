def query_without_page(params, **changes) -> str:
    """The query string of ``params`` with ``changes`` (None removes a key) and no page,
    for filter links and pagination of list pages."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()
