"""Scrapy project: one generic news spider that discovers and fetches; it parses no article."""
