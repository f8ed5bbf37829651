DROP INDEX `events_conversation_idx`;--> statement-breakpoint
DROP INDEX `events_type_time_idx`;--> statement-breakpoint
CREATE INDEX `events_report_time_idx` ON `events` (`type`,`created_at`) WHERE type IN ('sla.breached', 'csat.received');