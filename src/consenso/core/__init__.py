"""Pure domain: label schema, assignment policy, permissions, messages.

Nothing here imports a web framework, a database driver or the settings; import-linter enforces it.
"""
