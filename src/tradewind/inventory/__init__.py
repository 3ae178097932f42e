"""Inventory: warehouses, stock levels, movements, stock takes and inbound purchase orders."""
