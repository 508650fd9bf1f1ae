"""The HTTP edge of each resource: parse the request, call the domain, shape
the response. Only here (and in chalicelib/http) does code know about HTTP."""
