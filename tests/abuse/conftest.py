"""Fixtures of the abuse tests: the world of ``tests/abuse/common.py`` on each engine."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.abuse.common import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)
