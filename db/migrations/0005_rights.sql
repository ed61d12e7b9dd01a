CREATE TABLE `erasure_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`status` text NOT NULL,
	`plan` blob NOT NULL,
	`summary` text NOT NULL,
	`prepared_by` integer,
	`prepared_at` integer NOT NULL,
	`approved_by` integer,
	`approved_at` integer,
	`executed_at` integer,
	`verified_at` integer,
	`verification` text,
	`certificate` blob,
	`certificate_sha256` text,
	`lease_until` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`prepared_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `erasure_plans_request_idx` ON `erasure_plans` (`request_id`);--> statement-breakpoint
CREATE INDEX `erasure_plans_status_idx` ON `erasure_plans` (`status`);--> statement-breakpoint
CREATE TABLE `erasure_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`batch` integer NOT NULL,
	`payload` blob NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`done` integer,
	`retained` integer,
	`error` text,
	`finished_at` integer,
	FOREIGN KEY (`plan_id`) REFERENCES `erasure_plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `erasure_steps_plan_batch_idx` ON `erasure_steps` (`plan_id`,`connector_id`,`batch`);--> statement-breakpoint
CREATE TABLE `recipient_notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`recipient` text NOT NULL,
	`operations` text NOT NULL,
	`outbox_id` integer,
	`sent_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recipient_notices_request_idx` ON `recipient_notices` (`request_id`);--> statement-breakpoint
CREATE TABLE `rectifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`status` text NOT NULL,
	`changes` blob NOT NULL,
	`prepared_by` integer,
	`prepared_at` integer NOT NULL,
	`approved_by` integer,
	`approved_at` integer,
	`applied_at` integer,
	`error` text,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`prepared_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rectifications_request_idx` ON `rectifications` (`request_id`);--> statement-breakpoint
CREATE TABLE `restrictions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`records` integer NOT NULL,
	`applied_by` integer,
	`applied_at` integer NOT NULL,
	`lifted_by` integer,
	`lifted_at` integer,
	`error` text,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`applied_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lifted_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `restrictions_request_idx` ON `restrictions` (`request_id`);--> statement-breakpoint
CREATE TABLE `suppression_list` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`request_id` integer,
	`added_at` integer NOT NULL,
	`added_by` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`added_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suppression_list_kind_hash_idx` ON `suppression_list` (`kind`,`hash`);