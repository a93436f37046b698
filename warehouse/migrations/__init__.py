"""Numbered SQL migrations, applied in order by `warehouse.schema.migrate`."""
