CREATE TABLE `controller_referrals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`client_code` text NOT NULL,
	`datasets` text NOT NULL,
	`records` text NOT NULL,
	`status` text NOT NULL,
	`outbox_id` integer,
	`sent_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` integer,
	`instructions` text DEFAULT '[]' NOT NULL,
	`instructed_at` integer,
	`reminders` integer DEFAULT 0 NOT NULL,
	`last_reminded_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `controller_referrals_request_client_idx` ON `controller_referrals` (`request_id`,`client_code`);--> statement-breakpoint
CREATE INDEX `controller_referrals_status_idx` ON `controller_referrals` (`status`,`sent_at`);