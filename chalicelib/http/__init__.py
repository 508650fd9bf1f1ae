"""HTTP plumbing shared by every route: CORS, the error shape, bodies, the middleware."""
