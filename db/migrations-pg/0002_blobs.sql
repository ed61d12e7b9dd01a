CREATE TABLE "blob_chunks" (
	"key" text NOT NULL,
	"n" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "blob_chunks_key_n_pk" PRIMARY KEY("key","n")
);
--> statement-breakpoint
CREATE TABLE "blobs" (
	"key" text PRIMARY KEY NOT NULL,
	"bytes" bigint NOT NULL,
	"chunks" integer NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
-- The chunks are encrypted already: compressing them is wasted work (added by hand; drizzle cannot say it).
ALTER TABLE "blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
