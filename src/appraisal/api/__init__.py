"""JSON API under /api/v1: thin controllers that parse, call a service and answer."""
