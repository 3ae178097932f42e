"""The REST API face (FastAPI, under /api/v1): thin routers over the domains' services and the server's shared
plumbing (`tradewind.server`: one transaction per request, who is asking, errors as JSON); the dashboard is its
sibling and neither imports the other."""
