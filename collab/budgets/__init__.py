"""Use cases of money: a partnership's budget, its funding sources and match funding."""
