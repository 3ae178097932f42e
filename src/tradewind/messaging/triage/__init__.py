"""Triage of buyers' messages: the language they wrote in (`language`), what they want (`intent`), and the order
they are about with a suggested reply, stored per inbound message (`inbound`)."""
