-- Why: a page's structure (its role — cover, table of contents, form, blank, bid schedule, body — and its
-- headings with their numbering, list items and table rows) is computed once at ingest, where pdf.js font
-- sizes and cell positions are known, and read back by every analysis of the document: retrieval ranks by
-- heading path and page role, and the llm engine shows both with each excerpt. It lives in its own column
-- beside the page text (one JSON object per page, in page order, NULL entries for pages without one), tagged
-- with the version of the algorithm that computed it: a row from an older version is ignored and the
-- structure computed again from the text, so improving the algorithm never needs a data migration.
-- (Numbered 0009 on its branch; renumbered at merge.)

ALTER TABLE session_documents
    ADD COLUMN page_structure       JSONB CHECK (page_structure IS NULL OR jsonb_typeof(page_structure) = 'array'),
    ADD COLUMN structure_version    INTEGER;

ALTER TABLE documents
    ADD COLUMN page_structure       JSONB CHECK (page_structure IS NULL OR jsonb_typeof(page_structure) = 'array'),
    ADD COLUMN structure_version    INTEGER;

-- Rows written before this migration may carry the structure inside each page object (version 1 of the
-- algorithm): move it into the new column, in page order, and leave the page text objects without it.
UPDATE session_documents
   SET page_structure = (SELECT jsonb_agg(COALESCE(p -> 'structure', 'null'::jsonb) ORDER BY ord)
                           FROM jsonb_array_elements(pages) WITH ORDINALITY AS t(p, ord)),
       pages = (SELECT jsonb_agg(p - 'structure' ORDER BY ord)
                  FROM jsonb_array_elements(pages) WITH ORDINALITY AS t(p, ord)),
       structure_version = 1
 WHERE jsonb_typeof(pages) = 'array'
   AND EXISTS (SELECT 1 FROM jsonb_array_elements(pages) AS e(p) WHERE p ? 'structure');

UPDATE documents
   SET page_structure = (SELECT jsonb_agg(COALESCE(p -> 'structure', 'null'::jsonb) ORDER BY ord)
                           FROM jsonb_array_elements(pages) WITH ORDINALITY AS t(p, ord)),
       pages = (SELECT jsonb_agg(p - 'structure' ORDER BY ord)
                  FROM jsonb_array_elements(pages) WITH ORDINALITY AS t(p, ord)),
       structure_version = 1
 WHERE jsonb_typeof(pages) = 'array'
   AND EXISTS (SELECT 1 FROM jsonb_array_elements(pages) AS e(p) WHERE p ? 'structure');
