ALTER TABLE `attachments` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `source` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `state` text DEFAULT 'ready' NOT NULL;--> statement-breakpoint
ALTER TABLE `attachments` ADD `error` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `kind` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `remote` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `attachments` ADD `next_attempt_at` integer;--> statement-breakpoint
CREATE INDEX `attachments_pending_idx` ON `attachments` (`next_attempt_at`) WHERE state = 'pending';--> statement-breakpoint
ALTER TABLE `outbox` ADD `parts_done` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `attachments` SET `state` = 'refused', `error` = 'over the size limit when it arrived: not stored' WHERE `data` IS NULL AND `url` IS NULL;
--> statement-breakpoint
UPDATE `messages` SET `attachments` = (SELECT json_group_array(json_object('id', a.id, 'name', a.filename, 'filename', a.filename, 'contentType', a.content_type, 'size', a.size, 'url', '/api/v1/attachments/' || a.id, 'state', a.state, 'kind', a.kind, 'error', a.error)) FROM (SELECT * FROM `attachments` WHERE message_id = `messages`.id ORDER BY id) a) WHERE `attachments` IS NOT NULL;
