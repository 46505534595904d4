"""Pure rules of the office: no web and no database imports here."""
