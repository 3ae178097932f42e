"""Tracking: carriers' events read from files and webhooks (`carriers`), each read onto one status list (`codes`,
`phrases`, `normalize`), a parcel's timeline from its events (`timeline`) and storing them (`store`)."""
