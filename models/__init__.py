"""Partnership Atlas's domain: pure Python, never Qt. Start at catalogue.Catalogue."""
