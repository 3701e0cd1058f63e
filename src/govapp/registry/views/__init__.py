"""Registry web pages; every view checks the object permission (404 when unseen, 403 when not allowed)."""
