"""Messaging: templates per locale, rendering, the outbox, channels and inbound triage."""
