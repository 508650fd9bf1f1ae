"""Forms as data: definitions managed by admins, and submissions checked against them."""
