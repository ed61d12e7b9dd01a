CREATE TABLE `litigation_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`connector_id` text NOT NULL,
	`item_key` text NOT NULL,
	`request_id` integer,
	`reason` text NOT NULL,
	`set_by` integer NOT NULL,
	`set_at` integer NOT NULL,
	`lifted_by` integer,
	`lifted_at` integer,
	`lift_reason` text,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`set_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lifted_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `litigation_holds_item_idx` ON `litigation_holds` (`connector_id`,`item_key`,`lifted_at`);--> statement-breakpoint
CREATE TABLE `retention_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`lease_until` integer NOT NULL,
	`finished_at` integer,
	`counts` text,
	`error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `retention_runs_one_running_idx` ON `retention_runs` (`status`) WHERE status = 'running';--> statement-breakpoint
CREATE INDEX `retention_runs_started_idx` ON `retention_runs` (`status`,`started_at`);--> statement-breakpoint
ALTER TABLE `requests` ADD `identity_purged_at` integer;