"""Reliability: kill trials, fuzzed importers, hostile files (make reliability)."""
