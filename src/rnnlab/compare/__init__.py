"""Comparisons of architectures under equal budgets."""
