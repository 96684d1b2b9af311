"""Rapport's persistence: typed models, engine, migrations, queries, importers."""
