"""Growth and health: the shop's KPIs, the platform's service metrics with their limits and projections, and the
new-merchant milestones and levels (sailor to chief navigator)."""
