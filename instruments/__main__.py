"""Run ``python -m instruments check [PATH...]`` without the Flask app."""

from instruments.cli import main

raise SystemExit(main())
