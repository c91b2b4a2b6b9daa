"""The CLI commands, one module per topic; ``COMMANDS`` lists them for registration."""

from surveys.commands.analysis import attention
from surveys.commands.data import import_groups, import_incidents, import_responses
from surveys.commands.reports import COMMANDS as REPORT_COMMANDS
from surveys.commands.retention import purge
from surveys.commands.setup import create_school, create_user, demo, init_db
from surveys.commands.tools import instruments_check

COMMANDS = [
    init_db,
    create_school,
    create_user,
    demo,
    import_groups,
    import_responses,
    import_incidents,
    attention,
    purge,
    *REPORT_COMMANDS,
]

__all__ = ["COMMANDS", "instruments_check"]
