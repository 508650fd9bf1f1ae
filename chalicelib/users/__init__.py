"""The users resource: who the site knows, managed by admins."""
