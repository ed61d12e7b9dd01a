CREATE TABLE `archives` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`file_path` text,
	`iv` text NOT NULL,
	`tag` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`entries` integer NOT NULL,
	`released_by` integer NOT NULL,
	`released_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`last_download_at` integer,
	`purged_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `archives_request_idx` ON `archives` (`request_id`);--> statement-breakpoint
CREATE INDEX `archives_expiry_idx` ON `archives` (`status`,`expires_at`);