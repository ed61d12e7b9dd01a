CREATE TABLE `archive_withholdings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`dataset` text NOT NULL,
	`item_key` text NOT NULL,
	`field` text DEFAULT '' NOT NULL,
	`file_name` text DEFAULT '' NOT NULL,
	`scope` text NOT NULL,
	`ground` text NOT NULL,
	`explanation` text,
	`note` text DEFAULT '' NOT NULL,
	`state` text NOT NULL,
	`proposed_by` integer NOT NULL,
	`proposed_at` integer NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`withdrawn_by` integer,
	`withdrawn_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `archive_withholdings_request_idx` ON `archive_withholdings` (`request_id`,`state`);--> statement-breakpoint
CREATE UNIQUE INDEX `archive_withholdings_live_idx` ON `archive_withholdings` (`request_id`,`connector_id`,`dataset`,`item_key`,`field`,`file_name`) WHERE "archive_withholdings"."state" in ('pending', 'approved');