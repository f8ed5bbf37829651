-- FAQ full-text search (trigram, so Chinese matches any 3+ character substring), kept by
-- triggers so every writer (Node, D1) indexes alike. Ranked with bm25(faq_fts).
CREATE VIRTUAL TABLE faq_fts USING fts5(title, body, tags, article_id UNINDEXED, tokenize = 'trigram');
--> statement-breakpoint
CREATE TRIGGER faq_fts_insert AFTER INSERT ON faq_articles BEGIN
  INSERT INTO faq_fts(title, body, tags, article_id) VALUES (new.title, new.body, coalesce(new.tags, '[]'), new.id);
END;
--> statement-breakpoint
CREATE TRIGGER faq_fts_update AFTER UPDATE OF title, body, tags ON faq_articles BEGIN
  DELETE FROM faq_fts WHERE article_id = old.id;
  INSERT INTO faq_fts(title, body, tags, article_id) VALUES (new.title, new.body, coalesce(new.tags, '[]'), new.id);
END;
--> statement-breakpoint
CREATE TRIGGER faq_fts_delete AFTER DELETE ON faq_articles BEGIN
  DELETE FROM faq_fts WHERE article_id = old.id;
END;
