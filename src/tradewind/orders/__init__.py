"""Orders: buyers, orders and lines, payment, cancellations, disputes, feedback and promised dates."""
