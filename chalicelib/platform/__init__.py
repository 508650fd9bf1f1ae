"""What every layer runs on: settings, AWS clients, SSM parameters, ids, metrics.
Imports no domain package and nothing of HTTP."""
