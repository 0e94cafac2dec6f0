"""One router per surface of the gateway."""
