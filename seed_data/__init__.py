"""Seeded demo data for Rapport: a believable company, its people and a year of interactions."""
