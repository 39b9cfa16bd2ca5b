"""Use cases: one function per use case, one transaction, one commit. The API, CLI and jobs call these."""
