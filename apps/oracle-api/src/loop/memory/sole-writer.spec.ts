import { tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * oracle-api's loop/memory is the only writer of per-subject memory (feedback-api only reads it);
 * the subject's erasure (operator/subjects) is the one other place that deletes it.
 */
const MEMORY_TABLES: OwnedTables = {
  models: ['subjectMemoryItem', 'subjectFacet', 'subjectSelectionLog', 'subjectPersonaUpdate'],
  relations: ['subjectMemoryItems', 'subjectFacets', 'subjectSelectionLogs', 'subjectPersonaUpdates'],
  tables: ['subject_memory_items', 'subject_facets', 'subject_selection_logs', 'subject_persona_updates'],
};

describe('loop/memory is the only writer of subject memory', () => {
  it('finds no write outside apps/oracle-api/src/loop/memory but the erasure', () => {
    const writes = tableWritesOutside(__dirname, MEMORY_TABLES).filter(
      (w) => !w.file.includes('apps/oracle-api/src/operator/subjects/'),
    );
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
