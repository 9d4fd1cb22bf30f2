"""The server tests share one throwaway PostGIS cluster (tests/helpers/postgis.py)."""
from tests.helpers.postgis import postgis_cluster, server  # noqa: F401
