"""Channel validators (channel-formats §5, DESIGN §7), run before the compliance rule engine."""
