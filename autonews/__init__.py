"""autonews: crawl, clean and warehouse automotive news."""

__version__ = "0.1.0"
