"""`make fuzz`: schemathesis against a local stack it starts and stops (run as
`python -m tests.fuzz`; pytest never collects it)."""
