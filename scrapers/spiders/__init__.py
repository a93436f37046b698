"""Spiders of the autonews Scrapy project."""
