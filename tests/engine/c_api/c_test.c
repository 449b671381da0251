/* The C interface (sett/c.h), compiled as C11: every function, a transaction that conflicts,
 * an iterator over a snapshot, and errors as messages. Exits non-zero at the first failed
 * check, naming it. */

#include "sett/c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_NO_ERROR(err)                                                      \
  do {                                                                           \
    if ((err) != NULL) {                                                         \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__, err); \
      failures++;                                                                \
      sett_free(err);                                                            \
      (err) = NULL;                                                              \
    }                                                                            \
  } while (0)

static int Equals(const char* bytes, size_t len, const char* want) {
  return bytes != NULL && len == strlen(want) && memcmp(bytes, want, len) == 0;
}

static void Put(sett_t* db, const sett_writeoptions_t* wo, const char* k, const char* v) {
  char* err = NULL;
  sett_put(db, wo, k, strlen(k), v, strlen(v), &err);
  CHECK_NO_ERROR(err);
}

static int GetIs(sett_t* db, const sett_readoptions_t* ro, const char* k, const char* want) {
  char* err = NULL;
  size_t len = 0;
  char* v = sett_get(db, ro, k, strlen(k), &len, &err);
  CHECK_NO_ERROR(err);
  int same = want == NULL ? v == NULL : Equals(v, len, want);
  sett_free(v);
  return same;
}

/* Appends the operand to the value, with a comma between. */
static char* AppendMerge(void* state, const char* key, size_t keylen, const char* existing,
                         size_t existinglen, const char* operand, size_t operandlen,
                         size_t* resultlen) {
  (void)key;
  (void)keylen;
  ++*(int*)state;
  size_t n = existing != NULL ? existinglen + 1 + operandlen : operandlen;
  char* out = malloc(n);
  if (out == NULL) return NULL;
  if (existing != NULL) {
    memcpy(out, existing, existinglen);
    out[existinglen] = ',';
    memcpy(out + existinglen + 1, operand, operandlen);
  } else {
    memcpy(out, operand, operandlen);
  }
  *resultlen = n;
  return out;
}

/* Merges and a bulk load, each in a database of its own under dir. */
static void MergesAndStreamWriter(const char* dir, const sett_readoptions_t* ro,
                                  const sett_writeoptions_t* wo) {
  char path[256];
  char* err = NULL;
  int calls = 0;
  sett_options_t* options = sett_options_create();
  sett_options_set_create_if_missing(options, 1);
  sett_options_set_merge_function(options, AppendMerge, &calls);
  snprintf(path, sizeof path, "%s/merges", dir);
  sett_t* db = sett_open(options, path, &err);
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    sett_writebatch_t* batch = sett_writebatch_create();
    sett_writebatch_merge(batch, "list", 4, "a", 1);
    sett_write(db, wo, batch, &err);
    CHECK_NO_ERROR(err);
    sett_writebatch_destroy(batch);
    sett_txn_t* txn = sett_txn_begin(db, 1);
    sett_txn_merge(txn, "list", 4, "b", 1, &err);
    CHECK_NO_ERROR(err);
    CHECK(sett_txn_commit(txn, wo, &err) == SETT_OK);
    CHECK_NO_ERROR(err);
    sett_txn_destroy(txn);
    CHECK(GetIs(db, ro, "list", "a,b"));
    CHECK(calls > 0);
    sett_close(db, &err);
    CHECK_NO_ERROR(err);
  }
  sett_options_set_uint64_add_merge(options); /* Replaces the function. */

  snprintf(path, sizeof path, "%s/loaded", dir);
  db = sett_open(options, path, &err);
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    sett_stream_writer_t* writer = sett_stream_writer_create(db, &err);
    CHECK_NO_ERROR(err);
    for (int i = 0; i < 3000 && writer != NULL; i++) {
      char key[16];
      snprintf(key, sizeof key, "k%05d", i);
      sett_stream_writer_put(writer, key, strlen(key), "v", 1, &err);
      CHECK_NO_ERROR(err);
    }
    sett_stream_writer_put(writer, "a", 1, "late", 4, &err); /* Out of order: refused. */
    sett_stream_writer_finish(writer, &err);
    CHECK(err != NULL);
    sett_free(err);
    err = NULL;
    sett_stream_writer_destroy(writer);
    CHECK(GetIs(db, ro, "k00000", NULL)); /* Nothing of a failed load. */
    writer = sett_stream_writer_create(db, &err);
    CHECK_NO_ERROR(err);
    sett_stream_writer_put(writer, "k1", 2, "one", 3, &err);
    sett_stream_writer_put(writer, "k2", 2, "two", 3, &err);
    sett_stream_writer_finish(writer, &err);
    CHECK_NO_ERROR(err);
    sett_stream_writer_destroy(writer);
    CHECK(GetIs(db, ro, "k1", "one") && GetIs(db, ro, "k2", "two"));
    sett_close(db, &err);
    CHECK_NO_ERROR(err);
  }
  sett_options_destroy(options);
}

int main(void) {
  char dir[] = "/tmp/sett-c-test-XXXXXX";
  if (mkdtemp(dir) == NULL) return 2;
  char* err = NULL;

  CHECK(strlen(sett_version()) > 0);

  sett_options_t* options = sett_options_create();
  sett_options_set_create_if_missing(options, 1);
  sett_options_set_sync_writes(options, 0);
  sett_options_set_memtable_size(options, 1 << 20);
  sett_options_set_value_threshold(options, 64);
  sett_readoptions_t* ro = sett_readoptions_create();
  sett_writeoptions_t* wo = sett_writeoptions_create();
  sett_writeoptions_set_sync(wo, 1);

  /* Errors are messages that name what failed. */
  sett_options_set_create_if_missing(options, 0);
  sett_t* missing = sett_open(options, "/nonexistent/sett-c-test", &err);
  CHECK(missing == NULL);
  CHECK(err != NULL && strstr(err, "/nonexistent/sett-c-test") != NULL);
  sett_free(err);
  err = NULL;
  sett_options_set_create_if_missing(options, 1);

  sett_t* db = sett_open(options, dir, &err);
  CHECK_NO_ERROR(err);
  if (db == NULL) return 1;

  /* Put, get, delete; a value large enough for the value log; an absent key. */
  Put(db, wo, "a", "1");
  char big[300];
  memset(big, 'v', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  Put(db, wo, "big", big);
  CHECK(GetIs(db, ro, "a", "1"));
  CHECK(GetIs(db, ro, "big", big));
  CHECK(GetIs(db, ro, "nothing", NULL));
  sett_delete(db, wo, "a", 1, &err);
  CHECK_NO_ERROR(err);
  CHECK(GetIs(db, ro, "a", NULL));
  sett_put(db, wo, "", 0, "x", 1, &err); /* An empty key is refused. */
  CHECK(err != NULL);
  sett_free(err);
  err = NULL;

  /* Write batches. */
  sett_writebatch_t* batch = sett_writebatch_create();
  sett_writebatch_put(batch, "b1", 2, "x", 1);
  sett_writebatch_put(batch, "b2", 2, "y", 1);
  sett_writebatch_delete(batch, "big", 3);
  CHECK(sett_writebatch_count(batch) == 3);
  sett_write(db, wo, batch, &err);
  CHECK_NO_ERROR(err);
  CHECK(GetIs(db, ro, "b1", "x") && GetIs(db, ro, "b2", "y") && GetIs(db, ro, "big", NULL));
  sett_writebatch_clear(batch);
  CHECK(sett_writebatch_count(batch) == 0);
  sett_writebatch_destroy(batch);

  /* A snapshot, then changes; an iterator at the snapshot sees the old state only. */
  const sett_snapshot_t* snapshot = sett_create_snapshot(db);
  CHECK(sett_snapshot_read_ts(snapshot) > 0);
  Put(db, wo, "b1", "changed");
  Put(db, wo, "b3", "new");
  sett_readoptions_t* at_snapshot = sett_readoptions_create();
  sett_readoptions_set_snapshot(at_snapshot, snapshot);
  sett_readoptions_set_prefix(at_snapshot, "b", 1);
  CHECK(GetIs(db, at_snapshot, "b1", "x"));
  sett_iterator_t* it = sett_create_iterator(db, at_snapshot);
  int n = 0;
  size_t klen, vlen;
  for (sett_iter_rewind(it); sett_iter_valid(it); sett_iter_next(it)) {
    const char* k = sett_iter_key(it, &klen);
    const char* v = sett_iter_value(it, &vlen);
    CHECK(sett_iter_version(it) <= sett_snapshot_read_ts(snapshot));
    if (n == 0) CHECK(Equals(k, klen, "b1") && Equals(v, vlen, "x"));
    if (n == 1) CHECK(Equals(k, klen, "b2") && Equals(v, vlen, "y"));
    n++;
  }
  CHECK(n == 2);
  sett_iter_get_error(it, &err);
  CHECK_NO_ERROR(err);
  sett_iter_destroy(it);
  /* Reverse, from a seek, on the latest state. */
  sett_readoptions_t* reverse = sett_readoptions_create();
  sett_readoptions_set_reverse(reverse, 1);
  it = sett_create_iterator(db, reverse);
  sett_iter_seek(it, "b2", 2);
  CHECK(sett_iter_valid(it) && Equals(sett_iter_key(it, &klen), klen, "b2"));
  sett_iter_next(it);
  CHECK(sett_iter_valid(it) && Equals(sett_iter_key(it, &klen), klen, "b1"));
  sett_iter_destroy(it);
  sett_readoptions_destroy(reverse);
  sett_readoptions_set_snapshot(at_snapshot, NULL);
  CHECK(GetIs(db, at_snapshot, "b1", "changed"));
  sett_release_snapshot(db, snapshot);

  /* Named snapshots. */
  uint64_t named = sett_create_named_snapshot(db, "before", &err);
  CHECK_NO_ERROR(err);
  CHECK(named > 0);
  Put(db, wo, "b2", "later");
  sett_readoptions_set_read_ts(at_snapshot, named);
  CHECK(GetIs(db, at_snapshot, "b2", "y"));
  CHECK(sett_create_named_snapshot(db, "before", &err) == 0);
  CHECK(err != NULL && strstr(err, "before") != NULL);
  sett_free(err);
  err = NULL;
  CHECK(sett_delete_named_snapshot(db, "before", &err) == SETT_OK);
  CHECK_NO_ERROR(err);
  CHECK(sett_delete_named_snapshot(db, "before", &err) == SETT_NOT_FOUND);
  sett_free(err);
  err = NULL;
  sett_readoptions_destroy(at_snapshot);

  /* Transactions: reads, writes, an iterator with its own writes; two that conflict. */
  sett_txn_t* t1 = sett_txn_begin(db, 1);
  sett_txn_t* t2 = sett_txn_begin(db, 1);
  size_t len = 0;
  char* v = sett_txn_get(t1, "b2", 2, &len, &err);
  CHECK_NO_ERROR(err);
  CHECK(Equals(v, len, "later"));
  sett_free(v);
  CHECK(sett_txn_get(t1, "none", 4, &len, &err) == NULL);
  CHECK_NO_ERROR(err);
  sett_txn_set(t1, "b2", 2, "t1", 2, &err);
  CHECK_NO_ERROR(err);
  sett_txn_delete(t1, "b3", 2, &err);
  CHECK_NO_ERROR(err);
  sett_readoptions_t* b_only = sett_readoptions_create();
  sett_readoptions_set_prefix(b_only, "b", 1);
  it = sett_txn_create_iterator(t1, b_only);
  n = 0;
  for (sett_iter_rewind(it); sett_iter_valid(it); sett_iter_next(it)) n++;
  CHECK(n == 2); /* b1, b2 (b3 deleted in the transaction) */
  sett_iter_destroy(it);
  sett_readoptions_destroy(b_only);
  v = sett_txn_get(t2, "b2", 2, &len, &err); /* t2 reads b2 ... */
  CHECK_NO_ERROR(err);
  sett_free(v);
  sett_txn_set(t2, "b1", 2, "t2", 2, &err);
  CHECK_NO_ERROR(err);
  CHECK(sett_txn_commit(t1, wo, &err) == SETT_OK); /* ... which t1 then writes. */
  CHECK_NO_ERROR(err);
  CHECK(sett_txn_commit(t2, wo, &err) == SETT_CONFLICT);
  CHECK(err != NULL && strstr(err, "conflict") != NULL);
  sett_free(err);
  err = NULL;
  sett_txn_destroy(t1);
  sett_txn_destroy(t2);
  CHECK(GetIs(db, ro, "b2", "t1") && GetIs(db, ro, "b1", "changed") && GetIs(db, ro, "b3", NULL));
  sett_txn_t* reader = sett_txn_begin(db, 0);
  sett_txn_set(reader, "x", 1, "y", 1, &err); /* read-only */
  CHECK(err != NULL);
  sett_free(err);
  err = NULL;
  sett_txn_destroy(reader);

  /* Close, reopen read-only: everything is there; writes are refused. */
  sett_close(db, &err);
  CHECK_NO_ERROR(err);
  sett_options_set_read_only(options, 1);
  db = sett_open(options, dir, &err);
  CHECK_NO_ERROR(err);
  if (db != NULL) {
    CHECK(GetIs(db, ro, "b2", "t1"));
    sett_put(db, wo, "z", 1, "z", 1, &err);
    CHECK(err != NULL);
    sett_free(err);
    err = NULL;
    sett_close(db, &err);
    CHECK_NO_ERROR(err);
  }
  MergesAndStreamWriter(dir, ro, wo);
  sett_readoptions_destroy(ro);
  sett_writeoptions_destroy(wo);
  sett_options_destroy(options);

  char command[128];
  snprintf(command, sizeof command, "rm -rf %s", dir);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures > 0) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("C API: every check passed\n");
  return 0;
}
