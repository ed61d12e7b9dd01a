ALTER TABLE `recipient_notices` ADD `client_code` text;--> statement-breakpoint
ALTER TABLE `recipient_notices` ADD `records` text DEFAULT '[]' NOT NULL;