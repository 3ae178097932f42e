"""Suppliers: who makes the goods, their calendars, status reports, offers per SKU and message threads."""
