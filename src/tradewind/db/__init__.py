"""Storage: the declarative base, column types, engines and sessions, and the Alembic migrations."""
