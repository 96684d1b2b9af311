"""Role-play practice: scenarios, the simulated customer, certification."""
