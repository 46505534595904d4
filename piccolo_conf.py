"""Entry point for the `piccolo` CLI (e.g. `piccolo migrations new appraisal --auto`).

The application itself sets PICCOLO_CONF=appraisal.db.conf, so it does not depend on the
working directory; this file only re-exports that configuration.
"""

from appraisal.db.conf import APP_REGISTRY, DB  # noqa: F401
