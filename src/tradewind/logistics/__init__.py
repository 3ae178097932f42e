"""Logistics: shipping methods, shipments, tracking events, transit statistics and disruptions."""
