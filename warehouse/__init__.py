"""The PostgreSQL warehouse: connections, numbered migrations, loaders and analyst queries."""
