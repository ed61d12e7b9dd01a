DROP INDEX `requests_site_due_idx`;--> statement-breakpoint
CREATE INDEX `requests_site_status_due_idx` ON `requests` (`site`,`status`,`effective_due_on`);--> statement-breakpoint
CREATE INDEX `requests_ref_number_idx` ON `requests` (substr(`reference`, -6));