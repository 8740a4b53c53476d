"""Areas of the Sozialmonitoring: boundaries, simplification and geometric queries."""
