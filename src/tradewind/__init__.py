"""Tradewind: the daily operations brief for small cross-border sellers."""

__version__ = "0.1.0"
