"""Use cases per business area: each is one transaction (validate, write, audit, commit)."""
