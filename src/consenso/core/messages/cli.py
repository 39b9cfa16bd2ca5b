"""Messages printed by the command-line interface."""

MESSAGES: dict[str, dict[str, str]] = {}
