"""Persistence: the Piccolo app, its tables and migrations, and transaction helpers."""
