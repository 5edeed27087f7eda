"""A bounded load run against the production stack, then checks of the calendar's consistency."""
