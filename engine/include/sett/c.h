/* The C interface of sett, for programs in C and for other languages' bindings: opaque
 * handles, byte strings as pointer and length, and errors as messages.
 *
 * Errors: a function that can fail takes `char** errptr`. On success it leaves *errptr alone;
 * on failure it sets *errptr to a message (naming what failed) allocated with malloc, freeing
 * any message already there; release it with sett_free. Functions that return a sett_code
 * also say which kind of failure it was (SETT_CONFLICT: run the transaction again).
 *
 * Memory: values returned by sett_get and sett_txn_get are malloc'd copies (sett_free them);
 * keys and values of an iterator stay valid until it moves or is destroyed. Every _create
 * has its _destroy; sett_close frees the database handle.
 *
 * Thread safety: as the C++ API's: a sett_t may be used from any thread; a transaction,
 * iterator or write batch by one thread at a time. */

#ifndef SETT_C_H_
#define SETT_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sett_t sett_t;
typedef struct sett_options_t sett_options_t;
typedef struct sett_readoptions_t sett_readoptions_t;
typedef struct sett_writeoptions_t sett_writeoptions_t;
typedef struct sett_writebatch_t sett_writebatch_t;
typedef struct sett_iterator_t sett_iterator_t;
typedef struct sett_snapshot_t sett_snapshot_t;
typedef struct sett_txn_t sett_txn_t;
typedef struct sett_stream_writer_t sett_stream_writer_t;

/* The kind of a failure (sett::Status::Code). */
typedef enum {
  SETT_OK = 0,
  SETT_NOT_FOUND,
  SETT_CORRUPTION,
  SETT_NOT_SUPPORTED,
  SETT_INVALID_ARGUMENT,
  SETT_IO_ERROR,
  SETT_CONFLICT,
  SETT_BUSY,
  SETT_ABORTED,
  SETT_NOTHING_TO_COLLECT,
  SETT_TXN_TOO_BIG,
  SETT_ALREADY_EXISTS
} sett_code;

/* "0.1.0": the library's version (sett/version.h). */
const char* sett_version(void);
void sett_free(void* ptr);

/* Options (sett::Options): the defaults, then what a caller changes. */
sett_options_t* sett_options_create(void);
void sett_options_destroy(sett_options_t* options);
void sett_options_set_create_if_missing(sett_options_t* options, unsigned char on);
void sett_options_set_read_only(sett_options_t* options, unsigned char on);
void sett_options_set_sync_writes(sett_options_t* options, unsigned char on);
void sett_options_set_memtable_size(sett_options_t* options, size_t bytes);
void sett_options_set_value_threshold(sett_options_t* options, size_t bytes);

/* Merge operands (sett/merge.h): the function gets the key's value so far (existing NULL when
 * it has none) and one operand, and returns the new value, malloc'd, its size in *resultlen.
 * It must be associative (see sett/merge.h) and may be called from any thread; state is
 * passed back as given. */
typedef char* (*sett_merge_fn)(void* state, const char* key, size_t keylen, const char* existing,
                               size_t existinglen, const char* operand, size_t operandlen,
                               size_t* resultlen);
void sett_options_set_merge_function(sett_options_t* options, sett_merge_fn fn, void* state);
/* Counters: 8-byte little-endian unsigned values and operands, added (sett::AddUint64Merge). */
void sett_options_set_uint64_add_merge(sett_options_t* options);

sett_t* sett_open(const sett_options_t* options, const char* dir, char** errptr);
/* Flushes and closes, and frees db whatever happens (an error is still reported). */
void sett_close(sett_t* db, char** errptr);

sett_readoptions_t* sett_readoptions_create(void);
void sett_readoptions_destroy(sett_readoptions_t* options);
/* Read at a snapshot (NULL: the latest state). The snapshot must outlive the reads. */
void sett_readoptions_set_snapshot(sett_readoptions_t* options, const sett_snapshot_t* snapshot);
/* Iterators: keys starting with prefix only; largest first. */
void sett_readoptions_set_prefix(sett_readoptions_t* options, const char* prefix, size_t len);
void sett_readoptions_set_reverse(sett_readoptions_t* options, unsigned char on);

sett_writeoptions_t* sett_writeoptions_create(void);
void sett_writeoptions_destroy(sett_writeoptions_t* options);
void sett_writeoptions_set_sync(sett_writeoptions_t* options, unsigned char on);

void sett_put(sett_t* db, const sett_writeoptions_t* options, const char* key, size_t keylen,
              const char* val, size_t vallen, char** errptr);
void sett_delete(sett_t* db, const sett_writeoptions_t* options, const char* key, size_t keylen,
                 char** errptr);
/* The value (malloc'd; *vallen its size), or NULL with no error when the key is absent. */
char* sett_get(sett_t* db, const sett_readoptions_t* options, const char* key, size_t keylen,
               size_t* vallen, char** errptr);

/* Write batches: applied atomically, under one version. */
sett_writebatch_t* sett_writebatch_create(void);
void sett_writebatch_destroy(sett_writebatch_t* batch);
void sett_writebatch_put(sett_writebatch_t* batch, const char* key, size_t keylen, const char* val,
                         size_t vallen);
void sett_writebatch_delete(sett_writebatch_t* batch, const char* key, size_t keylen);
void sett_writebatch_merge(sett_writebatch_t* batch, const char* key, size_t keylen,
                           const char* operand, size_t operandlen);
void sett_writebatch_clear(sett_writebatch_t* batch);
int sett_writebatch_count(const sett_writebatch_t* batch);
void sett_write(sett_t* db, const sett_writeoptions_t* options, sett_writebatch_t* batch,
                char** errptr);

/* Iterators. Start them with sett_iter_rewind or sett_iter_seek. */
sett_iterator_t* sett_create_iterator(sett_t* db, const sett_readoptions_t* options);
void sett_iter_destroy(sett_iterator_t* it);
unsigned char sett_iter_valid(const sett_iterator_t* it);
void sett_iter_rewind(sett_iterator_t* it);
void sett_iter_seek(sett_iterator_t* it, const char* key, size_t keylen);
void sett_iter_next(sett_iterator_t* it);
const char* sett_iter_key(const sett_iterator_t* it, size_t* keylen);
const char* sett_iter_value(const sett_iterator_t* it, size_t* vallen);
uint64_t sett_iter_version(const sett_iterator_t* it);
/* Why the iterator stopped early, if it did. */
void sett_iter_get_error(const sett_iterator_t* it, char** errptr);

/* Snapshots: the latest state, kept readable (from compaction) until released. */
const sett_snapshot_t* sett_create_snapshot(sett_t* db);
void sett_release_snapshot(sett_t* db, const sett_snapshot_t* snapshot);
uint64_t sett_snapshot_read_ts(const sett_snapshot_t* snapshot);
/* Named snapshots, kept in the database until deleted (DB::CreateSnapshot); the read
 * timestamp of the new one, for sett_readoptions_set_read_ts. */
uint64_t sett_create_named_snapshot(sett_t* db, const char* name, char** errptr);
sett_code sett_delete_named_snapshot(sett_t* db, const char* name, char** errptr);
void sett_readoptions_set_read_ts(sett_readoptions_t* options, uint64_t read_ts);

/* Transactions (serializable snapshot isolation). A read-only one (update 0) never conflicts.
 * sett_txn_destroy discards one that did not commit. */
sett_txn_t* sett_txn_begin(sett_t* db, unsigned char update);
void sett_txn_destroy(sett_txn_t* txn);
char* sett_txn_get(sett_txn_t* txn, const char* key, size_t keylen, size_t* vallen, char** errptr);
void sett_txn_set(sett_txn_t* txn, const char* key, size_t keylen, const char* val, size_t vallen,
                  char** errptr);
void sett_txn_delete(sett_txn_t* txn, const char* key, size_t keylen, char** errptr);
void sett_txn_merge(sett_txn_t* txn, const char* key, size_t keylen, const char* operand,
                    size_t operandlen, char** errptr);
/* Iterates at the transaction's timestamp with its own writes merged in. */
sett_iterator_t* sett_txn_create_iterator(sett_txn_t* txn, const sett_readoptions_t* options);
/* SETT_OK, or why not: SETT_CONFLICT when another commit got in the way (begin again). */
sett_code sett_txn_commit(sett_txn_t* txn, const sett_writeoptions_t* options, char** errptr);

/* Bulk load of an empty database (sett::StreamWriter): keys in strictly ascending order,
 * straight into tables; nothing is visible before sett_stream_writer_finish succeeds. Puts are
 * buffered: an error may surface at a later put or at finish. Destroying an unfinished writer
 * abandons the load. */
sett_stream_writer_t* sett_stream_writer_create(sett_t* db, char** errptr);
void sett_stream_writer_put(sett_stream_writer_t* writer, const char* key, size_t keylen,
                            const char* val, size_t vallen, char** errptr);
void sett_stream_writer_finish(sett_stream_writer_t* writer, char** errptr);
void sett_stream_writer_destroy(sett_stream_writer_t* writer);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SETT_C_H_ */
