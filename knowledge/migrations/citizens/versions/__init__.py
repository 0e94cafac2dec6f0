"""The citizens store's revisions, oldest first (see docs/adr/0009-migrations.md)."""
