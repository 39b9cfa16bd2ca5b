"""Repositories: load and save rows for the services. They never commit; the service's transaction does."""
