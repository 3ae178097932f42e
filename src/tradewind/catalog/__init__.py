"""Catalog: products, SKUs, listings per channel and their paid promotions."""
