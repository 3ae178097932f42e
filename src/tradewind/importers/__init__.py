"""Importers: read a seller's files (Tradewind's own CSV, later platform exports) into the shop's records."""
