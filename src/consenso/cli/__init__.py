"""The ``consenso`` command (Typer + Rich). Commands are thin: they call services."""
