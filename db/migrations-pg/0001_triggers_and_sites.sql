-- Hand-written (drizzle-kit generate --custom): what the SQLite migrations do
-- with triggers and seed rows, in PostgreSQL's own terms (ADR 0020).

-- The audit journal is append-only whoever holds a connection.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint

-- request_counts (site or '' for the web, status → n), kept right on every
-- insert, delete, or change of site or status of a request. A change takes
-- both count rows' locks in one fixed order (site, status), so two requests
-- moving in opposite directions wait for each other instead of deadlocking.
CREATE FUNCTION request_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO request_counts (site, status, n) VALUES (coalesce(NEW.site, ''), NEW.status, 1)
      ON CONFLICT (site, status) DO UPDATE SET n = request_counts.n + 1;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE request_counts SET n = n - 1 WHERE site = coalesce(OLD.site, '') AND status = OLD.status;
  ELSIF coalesce(OLD.site, '') <> coalesce(NEW.site, '') OR OLD.status <> NEW.status THEN
    INSERT INTO request_counts (site, status, n) VALUES (coalesce(NEW.site, ''), NEW.status, 0) ON CONFLICT (site, status) DO NOTHING;
    PERFORM 1 FROM request_counts
      WHERE (site = coalesce(OLD.site, '') AND status = OLD.status) OR (site = coalesce(NEW.site, '') AND status = NEW.status)
      ORDER BY site, status FOR UPDATE;
    UPDATE request_counts SET n = n - 1 WHERE site = coalesce(OLD.site, '') AND status = OLD.status;
    UPDATE request_counts SET n = n + 1 WHERE site = coalesce(NEW.site, '') AND status = NEW.status;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER request_counts_insert AFTER INSERT ON requests FOR EACH ROW EXECUTE FUNCTION request_counts_keep();
--> statement-breakpoint
CREATE TRIGGER request_counts_delete AFTER DELETE ON requests FOR EACH ROW EXECUTE FUNCTION request_counts_keep();
--> statement-breakpoint
CREATE TRIGGER request_counts_update AFTER UPDATE OF site, status ON requests FOR EACH ROW EXECUTE FUNCTION request_counts_keep();
--> statement-breakpoint

INSERT INTO sites (code, name, holiday_profile, head_office) VALUES
  ('lille', 'Lille', 'metropolitan', false),
  ('paris', 'Paris', 'metropolitan', false),
  ('tours', 'Tours', 'metropolitan', true),
  ('bordeaux', 'Bordeaux', 'metropolitan', false),
  ('toulouse', 'Toulouse', 'metropolitan', false);
--> statement-breakpoint

-- The blob store's chunks are encrypted already: compressing them is wasted work (drizzle cannot say it).
ALTER TABLE "blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
