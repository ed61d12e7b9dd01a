CREATE TABLE `request_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`staff_id` integer NOT NULL,
	`at` integer NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `request_notes_request_idx` ON `request_notes` (`request_id`);--> statement-breakpoint
CREATE TABLE `sites` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`holiday_profile` text DEFAULT 'metropolitan' NOT NULL,
	`head_office` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`site` text NOT NULL,
	`password_hash` text NOT NULL,
	`must_change_password` integer DEFAULT true NOT NULL,
	`totp_secret` text,
	`totp_enabled` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`last_login_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_email_unique` ON `staff` (`email`);--> statement-breakpoint
CREATE TABLE `staff_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`staff_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`second_factor_done` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_sessions_staff_idx` ON `staff_sessions` (`staff_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`reference` text,
	`details` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_reference_idx` ON `audit_log` (`reference`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`at`);--> statement-breakpoint
CREATE TABLE `processing_operation_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`operation_id` integer NOT NULL,
	`version` integer NOT NULL,
	`snapshot` text NOT NULL,
	`changed_at` integer NOT NULL,
	`changed_by` integer,
	FOREIGN KEY (`operation_id`) REFERENCES `processing_operations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `processing_operations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`purpose` text NOT NULL,
	`legal_basis` text NOT NULL,
	`data_categories` text NOT NULL,
	`person_categories` text NOT NULL,
	`recipients` text NOT NULL,
	`source` text NOT NULL,
	`retention` text NOT NULL,
	`retention_days` integer,
	`datasets` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `processing_operations_code_unique` ON `processing_operations` (`code`);--> statement-breakpoint
DROP INDEX `requests_status_due_idx`;--> statement-breakpoint
ALTER TABLE `requests` ADD `effective_due_on` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `assignee_id` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `duplicate_of_id` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `recorded_by` integer;--> statement-breakpoint
CREATE INDEX `requests_due_idx` ON `requests` (`effective_due_on`);--> statement-breakpoint
CREATE INDEX `requests_site_due_idx` ON `requests` (`site`,`effective_due_on`);--> statement-breakpoint
CREATE INDEX `requests_assignee_idx` ON `requests` (`assignee_id`,`effective_due_on`);--> statement-breakpoint
CREATE INDEX `requests_status_due_idx` ON `requests` (`status`,`effective_due_on`);--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
UPDATE `requests` SET `effective_due_on` = CASE WHEN `extended` = 1 THEN `extended_due_on` ELSE `due_on` END;
--> statement-breakpoint
INSERT INTO `sites` (`code`, `name`, `holiday_profile`, `head_office`) VALUES
  ('lille', 'Lille', 'metropolitan', 0),
  ('paris', 'Paris', 'metropolitan', 0),
  ('tours', 'Tours', 'metropolitan', 1),
  ('bordeaux', 'Bordeaux', 'metropolitan', 0),
  ('toulouse', 'Toulouse', 'metropolitan', 0);
