"""Enforcement: rectification orders, revocation, suspension notices, typical-problem notices, PDFs."""
