"""The CLI commands, one module per topic; ``COMMANDS`` lists them for registration."""

from surveys.commands.setup import create_school, create_user, demo, init_db
from surveys.commands.tools import instruments_check

COMMANDS = [init_db, create_school, create_user, demo]

__all__ = ["COMMANDS", "instruments_check"]
