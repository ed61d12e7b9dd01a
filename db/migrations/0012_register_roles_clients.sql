CREATE TABLE `register_clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`aliases` text NOT NULL,
	`contact_email` text NOT NULL,
	`address` text NOT NULL,
	`dpo_contact` text NOT NULL,
	`processing_categories` text DEFAULT '[]' NOT NULL,
	`transfers` text DEFAULT '[]' NOT NULL,
	`security_measures` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `register_clients_code_unique` ON `register_clients` (`code`);--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `role` text DEFAULT 'controller' NOT NULL;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `controller_client` text;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `joint_controllers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `processors` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `transfers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `security_measures` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `processing_operations` ADD `sensitive_data` text;