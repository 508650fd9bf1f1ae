"""The admin dashboard over the stored contact messages: reading and sorting
them, answering their senders (replies), counts, and CSV exports."""
