CREATE TABLE `csat_requests` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`inbox_id` text NOT NULL,
	`message_id` text,
	`resolved_at` integer,
	`skipped` text,
	`requested_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `csat_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`inbox_id` text NOT NULL,
	`assignee_id` text,
	`team_id` text,
	`rating` integer NOT NULL,
	`comment` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `csat_responses_conversation_uq` ON `csat_responses` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `csat_responses_inbox_created_idx` ON `csat_responses` (`inbox_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `bot_answers` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`answered_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `faq_articles` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `faq_articles_updated_idx` ON `faq_articles` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `follow_ups` (
	`conversation_id` text NOT NULL,
	`after_incoming_at` integer NOT NULL,
	`message_id` text,
	`sent_at` integer NOT NULL,
	`skipped` text,
	`resolved_at` integer,
	PRIMARY KEY(`conversation_id`, `after_incoming_at`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `follow_ups_open_idx` ON `follow_ups` (`resolved_at`,`sent_at`);--> statement-breakpoint
CREATE TABLE `sla_clocks` (
	`conversation_id` text NOT NULL,
	`kind` text NOT NULL,
	`started_at` integer NOT NULL,
	`warn_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`state` text DEFAULT 'ok' NOT NULL,
	`warned_at` integer,
	`breached_at` integer,
	`notified_at` integer,
	`closed_at` integer,
	`inbox_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`conversation_id`, `kind`, `started_at`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sla_clocks_open_idx` ON `sla_clocks` (`closed_at`,`due_at`);--> statement-breakpoint
CREATE INDEX `sla_clocks_breached_idx` ON `sla_clocks` (`inbox_id`,`breached_at`);