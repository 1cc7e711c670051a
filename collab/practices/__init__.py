"""Use cases of the network of learning: practices, adoptions, learning exchanges."""
