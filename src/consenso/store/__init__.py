"""Persistence: SQLAlchemy 2 models, repositories (which never commit), Alembic migrations."""
