"""Demo data for trying the application out: the office (`office`), its appraisal (`appraisal`)
and its matters (`matters`), each loaded through the services, so the demo is written, checked
and audited as a user's work would be. Each loader finds what it would create first: running it
again changes nothing."""

from appraisal.demo.office import is_empty, load_demo

__all__ = ["is_empty", "load_demo"]
