"""Placeholder replaced below."""
DEMO_PASSWORD = "demo-wachtwoord"
