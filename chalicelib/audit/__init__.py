"""The audit log: one entry per admin write, in the write's own transaction
where DynamoDB allows, read newest first and never changed through the API."""
