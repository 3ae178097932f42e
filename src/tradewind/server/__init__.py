"""What the two faces (the API and the dashboard) share below them: the app's state and figure cache
(`state.py`, `figures.py`), the server's settings (`config.py`), the request plumbing (`deps.py`: one transaction
per request, who is asking, which shop), pagination (`pages.py`), the error responses (`errors.py`), running reads on
the event loop (`inline.py`), the outbox worker (`mail_worker.py`) and the process around them (`app.py`)."""
