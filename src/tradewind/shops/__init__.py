"""Shops: the owner of every record."""
