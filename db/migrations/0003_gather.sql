CREATE TABLE `gather_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`queued_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`duration_ms` integer,
	`matches` integer,
	`records` integer,
	`files` integer,
	`anomalies` integer,
	`error` text,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `gather_jobs_status_idx` ON `gather_jobs` (`status`,`lease_until`);--> statement-breakpoint
CREATE INDEX `gather_jobs_request_idx` ON `gather_jobs` (`request_id`,`connector_id`);--> statement-breakpoint
CREATE TABLE `gathered_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`request_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`kind` text NOT NULL,
	`dataset` text NOT NULL,
	`item_key` text NOT NULL,
	`payload` blob NOT NULL,
	`file_path` text,
	`size` integer,
	`sha256` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `gather_jobs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `gathered_items_request_idx` ON `gathered_items` (`request_id`,`connector_id`,`kind`);--> statement-breakpoint
CREATE INDEX `gathered_items_job_idx` ON `gathered_items` (`job_id`);