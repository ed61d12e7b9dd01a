CREATE TABLE `register_client_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`version` integer NOT NULL,
	`snapshot` text NOT NULL,
	`changed_at` integer NOT NULL,
	`changed_by` integer,
	FOREIGN KEY (`client_id`) REFERENCES `register_clients`(`id`) ON UPDATE no action ON DELETE no action
);
