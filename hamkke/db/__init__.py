"""The database: SQLAlchemy 2 models, the async engine and repositories."""
