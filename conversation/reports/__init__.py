"""The reports desk (issue 18): filed problem reports, routing, duplicate cases, status and notices."""
