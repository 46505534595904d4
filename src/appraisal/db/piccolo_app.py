"""The Piccolo app that owns every table of appraisal and its migrations."""

import os

from piccolo.conf.apps import AppConfig

from appraisal.db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="appraisal",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
