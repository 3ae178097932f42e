"""Users, their roles in shops, API tokens and sign-in sessions."""
