"""What the server enforces on its own, whoever edits (QGIS, psql, the app): the history
trigger, optimistic versions and row-level security, and the roles' grants.

The function bodies hold no names: they find their schema from the trigger
(TG_TABLE_SCHEMA), so a schema's name is only ever an identifier, never SQL text.
"""
from __future__ import annotations

from psycopg import sql

from models.server.tables import SERVER_COLUMNS, Table

SERVER_HISTORY = "server_history"   # every change made on the server, by whom (the catalogue's own
                                   # `history` is published beside it as data)

_LOG_BODY = r"""
DECLARE
  key text := TG_ARGV[0];
  shown text := TG_ARGV[1];   -- the columns logged, quoted: geometry stays out (never even turned into JSON)
  rows text := 'SELECT to_jsonb(x) AS j FROM (SELECT ' || shown || ' FROM %s) x';
BEGIN
  IF coalesce(current_setting('atlas.publishing', true), '') = 'on' THEN
    -- A publish brings its rows' changes as the catalogue's own history (published beside the
    -- rows, with their authors): one line per statement here says who published how many.
    EXECUTE format('INSERT INTO %I.server_history(tbl, op, new) SELECT %L, %L, '
                   'jsonb_build_object(''rows'', count(*)) FROM %s HAVING count(*) > 0',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME, left(TG_OP, 1),
                   CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END);
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO %I.server_history(tbl, row_id, op, new) '
                   'SELECT %L, (j->>%L)::bigint, ''I'', j FROM (' || format(rows, 'new_rows') || ') y',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME, key);
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO %I.server_history(tbl, row_id, op, old) '
                   'SELECT %L, (j->>%L)::bigint, ''D'', j FROM (' || format(rows, 'old_rows') || ') y',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME, key);
  ELSE
    EXECUTE format('INSERT INTO %I.server_history(tbl, row_id, op, old, new) '
                   'SELECT %L, (o.j->>%L)::bigint, ''U'', o.j, n.j '
                   'FROM (' || format(rows, 'old_rows') || ') o JOIN (' || format(rows, 'new_rows') || ') n '
                   'ON o.j->%L = n.j->%L', TG_TABLE_SCHEMA, TG_TABLE_NAME, key, key, key);
  END IF;
  RETURN NULL;
END
"""

_VERSION_BODY = r"""
BEGIN
  IF coalesce(current_setting('atlas.publishing', true), '') = 'on' THEN
    RETURN NEW;                            -- a publish sets versions and stamps itself
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.row_version IS DISTINCT FROM OLD.row_version THEN
      RAISE EXCEPTION 'conflict: % % was changed by % since you read it (version %, you read %)',
        TG_TABLE_NAME, to_jsonb(OLD)->>TG_ARGV[0], OLD.owner_role, OLD.row_version, NEW.row_version
        USING ERRCODE = '40001';
    END IF;
    NEW.row_version := OLD.row_version + 1;
  END IF;
  IF TG_ARGV[1] = 'stamped' THEN           -- who changed the row, as the desktop stamps it
    NEW.changed_by := current_user;
    NEW.changed_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  END IF;
  RETURN NEW;
END
"""

_MAY_EDIT_BODY = r"""
  SELECT owner = current_user
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                 WHERE r.rolname = owner AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER'))
"""


def functions(s: str) -> list[sql.Composable]:
    S = sql.Identifier(s)
    return [
        sql.SQL("""CREATE TABLE IF NOT EXISTS {}.server_history (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at timestamptz NOT NULL DEFAULT now(),
          db_user text NOT NULL DEFAULT current_user,
          by_publish boolean NOT NULL DEFAULT (coalesce(current_setting('atlas.publishing', true), '') = 'on'),
          tbl text NOT NULL, row_id bigint, op text NOT NULL CHECK (op IN ('I', 'U', 'D')),
          old jsonb, new jsonb)""").format(S),
        sql.SQL("CREATE INDEX IF NOT EXISTS server_history_row ON {}.server_history (tbl, row_id)").format(S),
        # Append-only, and each line names who wrote it: anyone may add their own lines.
        sql.SQL("ALTER TABLE {}.server_history ENABLE ROW LEVEL SECURITY").format(S),
        sql.SQL("DROP POLICY IF EXISTS atlas_read ON {}.server_history").format(S),
        sql.SQL("CREATE POLICY atlas_read ON {}.server_history FOR SELECT USING (true)").format(S),
        sql.SQL("DROP POLICY IF EXISTS atlas_add ON {}.server_history").format(S),
        sql.SQL("CREATE POLICY atlas_add ON {}.server_history FOR INSERT "
                "WITH CHECK (db_user = current_user AND NOT by_publish)").format(S),
        # The server's own identity: names the history entries a pull makes of server-side edits.
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.atlas_server (key text PRIMARY KEY, value text NOT NULL)").format(S),
        sql.SQL("INSERT INTO {}.atlas_server VALUES ('uuid', gen_random_uuid()::text) "
                "ON CONFLICT (key) DO NOTHING").format(S),
        # The catalogue's own history, published as data: what copies share (models/catalogue/merge/).
        sql.SQL("""CREATE TABLE IF NOT EXISTS {}.history (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, uuid text NOT NULL UNIQUE,
          at text NOT NULL, author text, name text NOT NULL, kind text NOT NULL, detail text)""").format(S),
        sql.SQL("""CREATE TABLE IF NOT EXISTS {0}.history_changes (
          history_id bigint NOT NULL REFERENCES {0}.history(id), tbl text NOT NULL,
          row_uuid text NOT NULL, op text NOT NULL, old text, new text)""").format(S),
        sql.SQL("CREATE INDEX IF NOT EXISTS history_changes_entry ON {}.history_changes (history_id)").format(S),
        sql.SQL("CREATE OR REPLACE FUNCTION {}.atlas_log() RETURNS trigger LANGUAGE plpgsql AS {}").format(
            S, sql.Literal(_LOG_BODY)),
        sql.SQL("CREATE OR REPLACE FUNCTION {}.atlas_versions() RETURNS trigger LANGUAGE plpgsql AS {}").format(
            S, sql.Literal(_VERSION_BODY)),
        sql.SQL("CREATE OR REPLACE FUNCTION {}.atlas_may_edit(owner text) RETURNS boolean "
                "LANGUAGE sql STABLE AS {}").format(S, sql.Literal(_MAY_EDIT_BODY)),
    ]


def table_rules(s: str, t: Table) -> list[sql.Composable]:
    """History triggers, the version trigger and row-level security on one table."""
    S, T = sql.Identifier(s), sql.Identifier(t.name)
    shown = [c for c in t.columns + list(SERVER_COLUMNS) if c not in t.geometry and t.types.get(c) != "bytea"]
    logged = sql.Literal(", ".join('"' + c.replace('"', '""') + '"' for c in shown))
    key = sql.Literal(t.key)
    out: list[sql.Composable] = []
    for event, tables in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                          ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
        name = sql.Identifier(f"atlas_log_{event.lower()}")
        out.append(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}.{}").format(name, S, T))
        out.append(sql.SQL("CREATE TRIGGER {} AFTER {} ON {}.{} REFERENCING {} FOR EACH STATEMENT "
                           "EXECUTE FUNCTION {}.atlas_log({}, {})").format(
            name, sql.SQL(event), S, T, sql.SQL(tables), S, key, logged))
    out.append(sql.SQL("DROP TRIGGER IF EXISTS atlas_versions ON {}.{}").format(S, T))
    # WHEN: a publish (which sets versions and stamps itself) does not even call the function.
    out.append(sql.SQL("CREATE TRIGGER atlas_versions BEFORE INSERT OR UPDATE ON {}.{} FOR EACH ROW "
                       "WHEN (coalesce(current_setting('atlas.publishing', true), '') <> 'on') "
                       "EXECUTE FUNCTION {}.atlas_versions({}, {})").format(
        S, T, S, key, sql.Literal("stamped" if t.stamped else "")))
    may_edit = sql.SQL("{}.atlas_may_edit(owner_role)").format(S)
    out.append(sql.SQL("ALTER TABLE {}.{} ENABLE ROW LEVEL SECURITY").format(S, T))
    for policy, text in (
            ("atlas_read", sql.SQL("FOR SELECT USING (true)")),
            ("atlas_add", sql.SQL("FOR INSERT WITH CHECK (owner_role = current_user)")),
            ("atlas_change", sql.SQL("FOR UPDATE USING ({0}) WITH CHECK ({0})").format(may_edit)),
            ("atlas_remove", sql.SQL("FOR DELETE USING ({})").format(may_edit))):
        out.append(sql.SQL("DROP POLICY IF EXISTS {} ON {}.{}").format(sql.Identifier(policy), S, T))
        out.append(sql.SQL("CREATE POLICY {} ON {}.{} {}").format(sql.Identifier(policy), S, T, text))
    return out


def grants(s: str, tables: list[Table], editors: list[str], readers: list[str]) -> list[sql.Composable]:
    """Editors read and write every table (row-level security decides which rows); readers read."""
    S = sql.Identifier(s)
    names = sql.SQL(", ").join(sql.SQL("{}.{}").format(S, sql.Identifier(t.name)) for t in tables)
    history = sql.SQL("{0}.server_history").format(S)
    shared = sql.SQL("{0}.history, {0}.history_changes, {0}.atlas_server").format(S)
    out: list[sql.Composable] = []
    for role in editors + readers:
        out.append(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(S, sql.Identifier(role)))
        out.append(sql.SQL("GRANT SELECT ON {}, {}, {} TO {}").format(names, history, shared, sql.Identifier(role)))
    for role in editors:
        out.append(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(names, sql.Identifier(role)))
        out.append(sql.SQL("GRANT INSERT ON {} TO {}").format(history, sql.Identifier(role)))
    return out
