"""Frontdesk's domain logic, storage and HTTP plumbing. app.py only wires routes to it."""
