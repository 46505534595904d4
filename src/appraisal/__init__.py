"""appraisal: efficiency rules and staff appraisal for a Chinese Party or government office."""

__version__ = "0.1.0"
