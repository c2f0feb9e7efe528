"""Metrics grouped by the process: `core` (module 1's definitions), `overview`, and one module
per page area. Each function takes an open connection, a Filters and dates; none caches."""
