"""The REST API face (FastAPI, under /api/v1): thin routers over the domains' services, and the request plumbing
(one transaction per request, who is asking, errors as JSON) that the dashboard shares."""
