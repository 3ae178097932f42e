"""Transit times per lane: the censored Kaplan–Meier kernel (`survival`), the lanes' estimates and what thin lanes
borrow from their region (`lanes`, `regions`), and the shipment and review files the estimate reads (`files`)."""
