"""Read functions the faces share (the API's JSON and the dashboard's pages show the same numbers): paginated
lists and the few per-record views the domains' services do not offer yet. Read-only; each names the domain
service it belongs in once that domain grows it."""
