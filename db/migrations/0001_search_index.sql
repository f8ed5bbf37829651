-- Full-text search with the trigram tokenizer so Chinese (no spaces between words) matches
-- any substring of 3+ characters. Kept by triggers so every writer (Node, D1) indexes alike.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, message_id UNINDEXED, tokenize = 'trigram');
--> statement-breakpoint
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, phone, contact_id UNINDEXED, tokenize = 'trigram');
--> statement-breakpoint
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(content, message_id) VALUES (new.content, new.id);
END;
--> statement-breakpoint
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  DELETE FROM messages_fts WHERE message_id = old.id;
  INSERT INTO messages_fts(content, message_id) VALUES (new.content, new.id);
END;
--> statement-breakpoint
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE message_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts(name, email, phone, contact_id) VALUES (coalesce(new.name, ''), coalesce(new.email, ''), coalesce(new.phone, ''), new.id);
END;
--> statement-breakpoint
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, phone ON contacts BEGIN
  DELETE FROM contacts_fts WHERE contact_id = old.id;
  INSERT INTO contacts_fts(name, email, phone, contact_id) VALUES (coalesce(new.name, ''), coalesce(new.email, ''), coalesce(new.phone, ''), new.id);
END;
--> statement-breakpoint
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
  DELETE FROM contacts_fts WHERE contact_id = old.id;
END;
