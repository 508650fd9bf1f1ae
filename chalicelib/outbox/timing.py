"""How long the outbox waits, and why those figures fit a Lambda invocation.

The backoff and the claim are a stage's settings (OUTBOX_BACKOFF_SECONDS,
OUTBOX_CLAIM_SECONDS in chalicelib/platform/config.py), so the local stack used by tests
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
# A send's connection and read timeouts (SES's client, chalicelib/platform/aws.py; the
# chat webhook's POST takes 3 s in all). botocore does not retry a send, so one
# attempt costs at most 2 + 5 s: the last delivery a handler starts (at
# RUN_SECONDS) has 30 - 7 = 23 s of the timeout left to settle it. A longer
# read timeout would make fewer sends ambiguous (a stalled answer, the mail
# maybe taken) but eat that time; SES answers SendEmail in well under a second.
SEND_CONNECT_TIMEOUT_SECONDS = 2
SEND_READ_TIMEOUT_SECONDS = 5
# A settle refused for a transient reason is tried again after these waits,
# the last one repeated, for as long as the invocation and the claim both
# leave SETTLE_CLAIM_MARGIN_SECONDS for the call itself. It matters after a
# send the provider took: left unsettled, that delivery would be sent again
# once its claim expires (an attempt counted on it, so the repeat shows).
SETTLE_RETRY_WAITS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
# A retry starts only if it would leave this much of the claim (and of the
# invocation) for its own call: a DynamoDB call's 2 s connect timeout plus its
# first read's 5 s would not fit, but botocore answers a throttle within it.
SETTLE_CLAIM_MARGIN_SECONDS = 5
# Even locally (no timeout), a claim must outlast a send and some settle retries.
MIN_CLAIM_SECONDS = 30
