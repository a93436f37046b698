"""Web archives in and out: WARC import and export, and Common Crawl's CC-NEWS backfill."""
