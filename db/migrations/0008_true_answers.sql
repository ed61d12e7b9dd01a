CREATE TABLE `info_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`reason` text NOT NULL,
	`question` text NOT NULL,
	`asked_by` integer,
	`asked_at` integer NOT NULL,
	`answered_at` integer,
	`reminded_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `info_requests_request_idx` ON `info_requests` (`request_id`);--> statement-breakpoint
CREATE INDEX `info_requests_open_idx` ON `info_requests` (`answered_at`,`closed_at`,`asked_at`);--> statement-breakpoint
CREATE TABLE `letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`html` blob NOT NULL,
	`sha256` text NOT NULL,
	`delivery` text NOT NULL,
	`outbox_id` integer,
	`created_at` integer NOT NULL,
	`posted_at` integer,
	`posted_by` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `letters_request_idx` ON `letters` (`request_id`);--> statement-breakpoint
CREATE INDEX `letters_unposted_idx` ON `letters` (`delivery`,`posted_at`);--> statement-breakpoint
CREATE TABLE `request_identifiers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` blob NOT NULL,
	`value_key` text NOT NULL,
	`origin` text NOT NULL,
	`source_connector` text,
	`source_dataset` text,
	`status` text NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `request_identifiers_value_idx` ON `request_identifiers` (`request_id`,`kind`,`value_key`);--> statement-breakpoint
CREATE TABLE `date_readings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`connector_id` text NOT NULL,
	`dataset` text NOT NULL,
	`item_key` text NOT NULL,
	`field` text NOT NULL,
	`format` text NOT NULL,
	`value` text NOT NULL,
	`decided_by` integer NOT NULL,
	`decided_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `date_readings_field_idx` ON `date_readings` (`request_id`,`connector_id`,`dataset`,`item_key`,`field`);--> statement-breakpoint
ALTER TABLE `requests` ADD `email_verified_at` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `phone_verified_at` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `postal_address` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `postcode` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `postal_verified_at` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_status` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_until` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_scope` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_answer_to` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_reviewed_by` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_reviewed_at` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `mandate_rejection` text;--> statement-breakpoint
ALTER TABLE `gather_jobs` ADD `identifiers` text;--> statement-breakpoint
ALTER TABLE `gather_jobs` ADD `missing` text;--> statement-breakpoint
ALTER TABLE `gather_jobs` ADD `waived_by` integer;--> statement-breakpoint
ALTER TABLE `gather_jobs` ADD `waived_at` integer;--> statement-breakpoint
ALTER TABLE `gather_jobs` ADD `waiver_reason` text;--> statement-breakpoint
ALTER TABLE `archives` ADD `purge_reason` text;--> statement-breakpoint
-- Which contacts were proven (ADR 0011). A link or code proved the one it reached; an agent's code
-- went to the phone (sms) or the email. A request an agent marked "attested" proved no contact:
-- it becomes "document", and its contacts must be proven by a code before anything reaches them.
UPDATE `requests` SET `verification_method` = 'document' WHERE `verification_method` = 'agent' AND `reference` IN (
  SELECT `reference` FROM `audit_log` WHERE `action` = 'ticket.recorded' AND json_extract(`details`, '$.verification') = 'attested'
);--> statement-breakpoint
UPDATE `requests` SET `email_verified_at` = `verified_at` WHERE `verified_at` IS NOT NULL AND `email` IS NOT NULL AND `verification_method` = 'email';--> statement-breakpoint
UPDATE `requests` SET `phone_verified_at` = `verified_at` WHERE `verified_at` IS NOT NULL AND `phone` IS NOT NULL AND `verification_method` = 'sms';--> statement-breakpoint
UPDATE `requests` SET `email_verified_at` = `verified_at` WHERE `verified_at` IS NOT NULL AND `email` IS NOT NULL AND `verification_method` = 'agent' AND `reference` IN (
  SELECT `reference` FROM `audit_log` WHERE `action` = 'ticket.recorded' AND json_extract(`details`, '$.verification') = 'code_email'
);--> statement-breakpoint
UPDATE `requests` SET `phone_verified_at` = `verified_at` WHERE `verified_at` IS NOT NULL AND `phone` IS NOT NULL AND `verification_method` = 'agent' AND `reference` IN (
  SELECT `reference` FROM `audit_log` WHERE `action` = 'ticket.recorded' AND json_extract(`details`, '$.verification') = 'code_sms'
);--> statement-breakpoint
UPDATE `requests` SET `mandate_status` = 'pending' WHERE `on_behalf` = 1;--> statement-breakpoint
UPDATE `archives` SET `purge_reason` = CASE
  WHEN EXISTS (SELECT 1 FROM `erasure_plans` p WHERE p.`request_id` = `archives`.`request_id` AND p.`status` = 'verified' AND p.`verified_at` = `archives`.`purged_at`) THEN 'erasure'
  ELSE 'expired' END WHERE `status` = 'purged';
