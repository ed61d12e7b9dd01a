CREATE TABLE `restriction_lifts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`status` text NOT NULL,
	`scheduled_by` integer,
	`scheduled_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`stopped_by` integer,
	`stopped_at` integer,
	`stop_reason` text,
	`ran_at` integer,
	`completed_at` integer,
	`lease_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`scheduled_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stopped_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `restriction_lifts_request_idx` ON `restriction_lifts` (`request_id`);--> statement-breakpoint
CREATE INDEX `restriction_lifts_due_idx` ON `restriction_lifts` (`status`,`due_at`);--> statement-breakpoint
ALTER TABLE `restrictions` ADD `hand_confirmed_by` integer REFERENCES staff(id);--> statement-breakpoint
ALTER TABLE `restrictions` ADD `hand_confirmed_at` integer;