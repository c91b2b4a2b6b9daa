"""Use cases: the one place each action lives. Views, CLI commands and tests all call these.

A service adds and flushes; its caller commits (or rolls back on an error), so that a command
or request is one transaction.
"""
