"""DynamoDB: the single table, its keys, and the stores built on it."""
