"""How long the outbox waits, and why those figures fit a Lambda invocation.

The backoff and the claim are a stage's settings (OUTBOX_BACKOFF_SECONDS,
OUTBOX_CLAIM_SECONDS in chalicelib/config.py), so the local stack used by tests
can run a whole retry schedule in seconds; these are the deployed defaults.
The rest is fixed: it follows from the function timeout.
"""
from __future__ import annotations

# Wait before attempt 2, 3, 4, 5 ...; the deployed schedule runs every 5 minutes.
BACKOFF_SECONDS = (60, 300, 900, 3600)
# Chalice's default lambda_timeout; .chalice/config.json sets none (a test
# holds it to this figure).
FUNCTION_TIMEOUT_SECONDS = 60
# A claim outlives the invocation that took it: while that invocation can
# still settle the delivery, nobody else may claim it.
CLAIM_SECONDS = 120
# A handler starts no delivery later than this into its invocation, so the
# last one started still has half the timeout for its send and its settle.
RUN_SECONDS = 30
# A settle refused for a transient reason is tried again after these waits
# (about 13 s in all, never past the claim). It matters after a send the
# provider took: left unsettled, that delivery would be sent again once its
# claim expires.
SETTLE_RETRY_WAITS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 3.2, 3.2)
# A retry starts only if it would leave this much of the claim for its own call.
SETTLE_CLAIM_MARGIN_SECONDS = 5
# Even locally (no timeout), a claim must outlast a send and those retries.
MIN_CLAIM_SECONDS = 30
