CREATE INDEX `requests_right_access_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"access"') > 0;--> statement-breakpoint
CREATE INDEX `requests_right_rectification_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"rectification"') > 0;--> statement-breakpoint
CREATE INDEX `requests_right_erasure_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"erasure"') > 0;--> statement-breakpoint
CREATE INDEX `requests_right_portability_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"portability"') > 0;--> statement-breakpoint
CREATE INDEX `requests_right_restriction_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"restriction"') > 0;--> statement-breakpoint
CREATE INDEX `requests_right_objection_idx` ON `requests` (`site`,`status`,`effective_due_on`) WHERE instr("rights", '"objection"') > 0;