"""The brief: actions collected from every domain, ranked, stored with their state and history."""
