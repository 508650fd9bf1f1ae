"""The contact pipeline (submissions, their notifications to the site owner)
and the admin dashboard over the stored messages."""
