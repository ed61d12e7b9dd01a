ALTER TABLE `outbox` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `gathered_items` ADD `attempt` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `erasure_plans` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- What was gathered before belongs to the attempt of its job that stored it (the last one: earlier attempts' items were purged).
UPDATE `gathered_items` SET `attempt` = (SELECT `attempts` FROM `gather_jobs` WHERE `gather_jobs`.`id` = `gathered_items`.`job_id`);
