"""The History view: the catalogue file's own record of every edit, across restarts."""
