CREATE TABLE `request_counts` (
	`site` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`site`, `status`)
);
--> statement-breakpoint
-- Kept by triggers, so that every writer (the app, the CLI, a raw import) keeps it right.
INSERT INTO `request_counts` (`site`, `status`, `n`) SELECT coalesce(`site`, ''), `status`, count(*) FROM `requests` GROUP BY 1, 2;--> statement-breakpoint
CREATE TRIGGER `request_counts_insert` AFTER INSERT ON `requests` BEGIN
  INSERT INTO `request_counts` (`site`, `status`, `n`) VALUES (coalesce(NEW.`site`, ''), NEW.`status`, 1)
    ON CONFLICT (`site`, `status`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `request_counts_delete` AFTER DELETE ON `requests` BEGIN
  UPDATE `request_counts` SET `n` = `n` - 1 WHERE `site` = coalesce(OLD.`site`, '') AND `status` = OLD.`status`;
END;--> statement-breakpoint
CREATE TRIGGER `request_counts_update` AFTER UPDATE OF `site`, `status` ON `requests`
  WHEN OLD.`site` IS NOT NEW.`site` OR OLD.`status` IS NOT NEW.`status` BEGIN
  UPDATE `request_counts` SET `n` = `n` - 1 WHERE `site` = coalesce(OLD.`site`, '') AND `status` = OLD.`status`;
  INSERT INTO `request_counts` (`site`, `status`, `n`) VALUES (coalesce(NEW.`site`, ''), NEW.`status`, 1)
    ON CONFLICT (`site`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
