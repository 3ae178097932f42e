"""What the faces (the API, the dashboard) share below them: the figures they read through the app's cache."""
