"""Klasklimaat: the Flask application (``flask --app surveys ...``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from surveys import config as config_module

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error handlers."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    _configure(app, config)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    return app


def _configure(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config_module.FIXED)
    app.config.update(config_module.from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["PRIVACY_K"] < 5:
        raise config_module.ConfigurationError("PRIVACY_K may be raised above 5, never lowered")
    config_module.ensure_secret_key(app.config, app.instance_path)
    logging.getLogger("surveys").setLevel(app.config["LOG_LEVEL"])


def _init_extensions(app: Flask) -> None:
    from surveys import auth, i18n
    from surveys.database import configure_engine
    from surveys.extensions import csrf, db, limiter

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    from surveys import labels, security

    security.init_app(app)
    labels.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from surveys.blueprints import auth, public, pupil, sessions

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pupil.bp)
    app.register_blueprint(sessions.bp)
    from surveys.blueprints import admin, coordinator, director, incidents, staff, teacher

    for blueprint in (admin, director, teacher, coordinator, incidents):
        app.register_blueprint(blueprint.bp)
    from surveys.blueprints import results

    app.register_blueprint(results.bp)
    staff.init_app(app)


def _register_cli(app: Flask) -> None:
    from surveys import cli

    cli.init_app(app)


def _register_error_handlers(app: Flask) -> None:
    from surveys import errors

    errors.init_app(app)
