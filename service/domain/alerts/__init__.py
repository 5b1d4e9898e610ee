"""Watches, alerts and signed webhooks (docs/alerts.md): what a user watches, how the
accounts a write touched are evaluated, and how the events reach a webhook."""
