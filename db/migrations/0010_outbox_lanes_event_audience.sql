ALTER TABLE `events` ADD `audience` text;--> statement-breakpoint
CREATE INDEX `outbox_lane_idx` ON `outbox` (`inbox_id`,`status`,`next_attempt_at`);