"""What the domain shares: its errors, the request-model base and field rules,
idempotency. Imports nothing of HTTP, so users/, contact/, dashboard/ can use it."""
