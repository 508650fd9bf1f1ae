"""Files attached to form posts: the safe types and limits, the uploads the
browser makes straight to the private bucket, their checks and claims, and
the signed downloads. No HTTP here: the routes are in chalicelib/api."""
