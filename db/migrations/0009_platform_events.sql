CREATE TABLE `webhook_skips` (
	`inbox_id` text NOT NULL,
	`type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`last_reason` text,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`inbox_id`, `type`),
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `contact_identities` ADD `opted_out_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `origin` text;