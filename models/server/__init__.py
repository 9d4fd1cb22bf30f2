"""The team server: a catalogue published to a PostGIS schema, edited there by a team
(roles, row-level security, history kept by triggers), and pulled back.

connection  reaching the server (URL or service name), one-line errors without passwords
tables      the server's tables, generated from the catalogue's
rules       what the server enforces itself: history, versions, row-level security, grants
publish     the catalogue into the server, in one transaction
"""
