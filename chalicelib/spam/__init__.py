"""Spam: the content rules, how a post is judged by them (and optionally by
Akismet), and the one document that holds them. HTTP-free."""
