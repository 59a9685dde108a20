"""Documents of a meeting: upload, versions, pages, search, the presenter, annotations."""
