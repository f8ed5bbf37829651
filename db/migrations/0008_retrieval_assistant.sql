CREATE TABLE `assistant_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`action` text NOT NULL,
	`conversation_id` text,
	`user_id` text,
	`model` text NOT NULL,
	`request` text NOT NULL,
	`response` text,
	`status` text NOT NULL,
	`error` text,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`latency_ms` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `assistant_calls_created_idx` ON `assistant_calls` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `retrieval_docs` (
	`kind` text NOT NULL,
	`doc_id` text NOT NULL,
	`length` integer NOT NULL,
	`scope` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `doc_id`)
);
--> statement-breakpoint
CREATE INDEX `retrieval_docs_updated_idx` ON `retrieval_docs` (`kind`,`updated_at`);--> statement-breakpoint
CREATE TABLE `retrieval_postings` (
	`kind` text NOT NULL,
	`term` text NOT NULL,
	`doc_id` text NOT NULL,
	`tf` integer NOT NULL,
	PRIMARY KEY(`kind`, `term`, `doc_id`)
);
--> statement-breakpoint
CREATE INDEX `retrieval_postings_doc_idx` ON `retrieval_postings` (`kind`,`doc_id`);