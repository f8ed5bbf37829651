CREATE INDEX `events_type_time_idx` ON `events` (`type`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_sender_idx` ON `messages` (`sender_id`);