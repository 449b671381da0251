// The C interface (sett/c.h): thin wrappers that own the C++ objects and turn Status into
// malloc'd messages and codes.

#include "sett/c.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sett/db.h"
#include "sett/version.h"

struct sett_t {
  std::unique_ptr<sett::DB> rep;
};
struct sett_options_t {
  sett::Options rep;
};
struct sett_readoptions_t {
  sett::ReadOptions rep;
};
struct sett_writeoptions_t {
  sett::WriteOptions rep;
};
struct sett_writebatch_t {
  sett::WriteBatch rep;
};
struct sett_iterator_t {
  std::unique_ptr<sett::Iterator> rep;
};
struct sett_snapshot_t {
  std::unique_ptr<sett::Snapshot> rep;
};
struct sett_txn_t {
  std::unique_ptr<sett::Txn> rep;
};
struct sett_stream_writer_t {
  std::unique_ptr<sett::StreamWriter> rep;
  std::vector<sett::KV> pending;  // Puts not yet handed to the writer.
};

namespace {

// Reports s through errptr; true when it is a failure.
bool SaveError(const sett::Status& s, char** errptr) {
  if (s.ok()) return false;
  std::string message = s.ToString();
  std::free(*errptr);
  *errptr = static_cast<char*>(std::malloc(message.size() + 1));
  if (*errptr != nullptr) std::memcpy(*errptr, message.c_str(), message.size() + 1);
  return true;
}

sett_code CodeOf(const sett::Status& s) { return static_cast<sett_code>(s.code()); }

char* CopyOut(std::string_view bytes, size_t* len) {
  char* out = static_cast<char*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
  if (out != nullptr) std::memcpy(out, bytes.data(), bytes.size());
  *len = bytes.size();
  return out;
}

std::string_view View(const char* bytes, size_t len) { return std::string_view(bytes, len); }

}  // namespace

extern "C" {

const char* sett_version(void) { return SETT_VERSION_STRING; }
void sett_free(void* ptr) { std::free(ptr); }

sett_options_t* sett_options_create(void) { return new sett_options_t; }
void sett_options_destroy(sett_options_t* options) { delete options; }
void sett_options_set_create_if_missing(sett_options_t* options, unsigned char on) {
  options->rep.create_if_missing = on != 0;
}
void sett_options_set_read_only(sett_options_t* options, unsigned char on) {
  options->rep.read_only = on != 0;
}
void sett_options_set_sync_writes(sett_options_t* options, unsigned char on) {
  options->rep.sync_writes = on != 0;
}
void sett_options_set_memtable_size(sett_options_t* options, size_t bytes) {
  options->rep.memtable_size = bytes;
}
void sett_options_set_merge_function(sett_options_t* options, sett_merge_fn fn, void* state) {
  options->rep.merge_function = [fn, state](std::string_view key,
                                            std::optional<std::string_view> existing,
                                            std::string_view operand) {
    size_t len = 0;
    char* out = fn(state, key.data(), key.size(), existing ? existing->data() : nullptr,
                   existing ? existing->size() : 0, operand.data(), operand.size(), &len);
    std::string result(out != nullptr ? out : "", out != nullptr ? len : 0);
    std::free(out);
    return result;
  };
}
void sett_options_set_uint64_add_merge(sett_options_t* options) {
  options->rep.merge_function = sett::AddUint64Merge();
}
void sett_options_set_value_threshold(sett_options_t* options, size_t bytes) {
  options->rep.value_threshold = bytes;
}

sett_t* sett_open(const sett_options_t* options, const char* dir, char** errptr) {
  sett::Options opened = options->rep;
  opened.dir = dir;
  auto db = std::make_unique<sett_t>();
  if (SaveError(sett::DB::Open(opened, &db->rep), errptr)) return nullptr;
  return db.release();
}

void sett_close(sett_t* db, char** errptr) {
  SaveError(db->rep->Close(), errptr);
  delete db;
}

sett_readoptions_t* sett_readoptions_create(void) { return new sett_readoptions_t; }
void sett_readoptions_destroy(sett_readoptions_t* options) { delete options; }
void sett_readoptions_set_snapshot(sett_readoptions_t* options, const sett_snapshot_t* snapshot) {
  options->rep.read_ts = snapshot == nullptr ? 0 : snapshot->rep->read_ts();
}
void sett_readoptions_set_read_ts(sett_readoptions_t* options, uint64_t read_ts) {
  options->rep.read_ts = read_ts;
}
void sett_readoptions_set_prefix(sett_readoptions_t* options, const char* prefix, size_t len) {
  options->rep.prefix.assign(prefix, len);
}
void sett_readoptions_set_reverse(sett_readoptions_t* options, unsigned char on) {
  options->rep.reverse = on != 0;
}

sett_writeoptions_t* sett_writeoptions_create(void) { return new sett_writeoptions_t; }
void sett_writeoptions_destroy(sett_writeoptions_t* options) { delete options; }
void sett_writeoptions_set_sync(sett_writeoptions_t* options, unsigned char on) {
  options->rep.sync = on != 0;
}

void sett_put(sett_t* db, const sett_writeoptions_t* options, const char* key, size_t keylen,
              const char* val, size_t vallen, char** errptr) {
  SaveError(db->rep->Put(options->rep, View(key, keylen), View(val, vallen)), errptr);
}

void sett_delete(sett_t* db, const sett_writeoptions_t* options, const char* key, size_t keylen,
                 char** errptr) {
  SaveError(db->rep->Delete(options->rep, View(key, keylen)), errptr);
}

char* sett_get(sett_t* db, const sett_readoptions_t* options, const char* key, size_t keylen,
               size_t* vallen, char** errptr) {
  std::string value;
  sett::Status s = db->rep->Get(options->rep, View(key, keylen), &value);
  *vallen = 0;
  if (s.IsNotFound() || SaveError(s, errptr)) return nullptr;
  return CopyOut(value, vallen);
}

sett_writebatch_t* sett_writebatch_create(void) { return new sett_writebatch_t; }
void sett_writebatch_destroy(sett_writebatch_t* batch) { delete batch; }
void sett_writebatch_put(sett_writebatch_t* batch, const char* key, size_t keylen, const char* val,
                         size_t vallen) {
  batch->rep.Put(View(key, keylen), View(val, vallen));
}
void sett_writebatch_delete(sett_writebatch_t* batch, const char* key, size_t keylen) {
  batch->rep.Delete(View(key, keylen));
}
void sett_writebatch_merge(sett_writebatch_t* batch, const char* key, size_t keylen,
                           const char* operand, size_t operandlen) {
  batch->rep.Merge(View(key, keylen), View(operand, operandlen));
}
void sett_writebatch_clear(sett_writebatch_t* batch) { batch->rep.Clear(); }
int sett_writebatch_count(const sett_writebatch_t* batch) {
  return static_cast<int>(batch->rep.Count());
}
void sett_write(sett_t* db, const sett_writeoptions_t* options, sett_writebatch_t* batch,
                char** errptr) {
  SaveError(db->rep->Write(options->rep, batch->rep), errptr);
}

sett_iterator_t* sett_create_iterator(sett_t* db, const sett_readoptions_t* options) {
  return new sett_iterator_t{db->rep->NewIterator(options->rep)};
}
void sett_iter_destroy(sett_iterator_t* it) { delete it; }
unsigned char sett_iter_valid(const sett_iterator_t* it) { return it->rep->Valid() ? 1 : 0; }
void sett_iter_rewind(sett_iterator_t* it) { it->rep->Rewind(); }
void sett_iter_seek(sett_iterator_t* it, const char* key, size_t keylen) {
  it->rep->Seek(View(key, keylen));
}
void sett_iter_next(sett_iterator_t* it) { it->rep->Next(); }
const char* sett_iter_key(const sett_iterator_t* it, size_t* keylen) {
  std::string_view key = it->rep->key();
  *keylen = key.size();
  return key.data();
}
const char* sett_iter_value(const sett_iterator_t* it, size_t* vallen) {
  std::string_view value = it->rep->value();
  *vallen = value.size();
  return value.data();
}
uint64_t sett_iter_version(const sett_iterator_t* it) { return it->rep->version(); }
void sett_iter_get_error(const sett_iterator_t* it, char** errptr) {
  SaveError(it->rep->status(), errptr);
}

const sett_snapshot_t* sett_create_snapshot(sett_t* db) {
  return new sett_snapshot_t{db->rep->GetSnapshot()};
}
void sett_release_snapshot(sett_t*, const sett_snapshot_t* snapshot) { delete snapshot; }
uint64_t sett_snapshot_read_ts(const sett_snapshot_t* snapshot) { return snapshot->rep->read_ts(); }
uint64_t sett_create_named_snapshot(sett_t* db, const char* name, char** errptr) {
  sett::SnapshotInfo info;
  if (SaveError(db->rep->CreateSnapshot(name, &info), errptr)) return 0;
  return info.read_ts;
}
sett_code sett_delete_named_snapshot(sett_t* db, const char* name, char** errptr) {
  sett::Status s = db->rep->DeleteSnapshot(name);
  SaveError(s, errptr);
  return CodeOf(s);
}

sett_txn_t* sett_txn_begin(sett_t* db, unsigned char update) {
  return new sett_txn_t{db->rep->NewTransaction(update != 0)};
}
void sett_txn_destroy(sett_txn_t* txn) { delete txn; }
char* sett_txn_get(sett_txn_t* txn, const char* key, size_t keylen, size_t* vallen, char** errptr) {
  sett::Item item;
  sett::Status s = txn->rep->Get(View(key, keylen), &item);
  *vallen = 0;
  if (s.IsNotFound() || SaveError(s, errptr)) return nullptr;
  return CopyOut(item.value(), vallen);
}
void sett_txn_set(sett_txn_t* txn, const char* key, size_t keylen, const char* val, size_t vallen,
                  char** errptr) {
  SaveError(txn->rep->Set(View(key, keylen), View(val, vallen)), errptr);
}
void sett_txn_delete(sett_txn_t* txn, const char* key, size_t keylen, char** errptr) {
  SaveError(txn->rep->Delete(View(key, keylen)), errptr);
}
sett_iterator_t* sett_txn_create_iterator(sett_txn_t* txn, const sett_readoptions_t* options) {
  return new sett_iterator_t{txn->rep->NewIterator(options->rep)};
}
sett_code sett_txn_commit(sett_txn_t* txn, const sett_writeoptions_t* options, char** errptr) {
  sett::Status s = txn->rep->Commit(options->rep);
  SaveError(s, errptr);
  return CodeOf(s);
}

void sett_txn_merge(sett_txn_t* txn, const char* key, size_t keylen, const char* operand,
                    size_t operandlen, char** errptr) {
  SaveError(txn->rep->Merge(View(key, keylen), View(operand, operandlen)), errptr);
}

sett_stream_writer_t* sett_stream_writer_create(sett_t* db, char** errptr) {
  auto writer = std::make_unique<sett_stream_writer_t>();
  if (SaveError(db->rep->NewStreamWriter(&writer->rep), errptr)) return nullptr;
  return writer.release();
}
void sett_stream_writer_put(sett_stream_writer_t* writer, const char* key, size_t keylen,
                            const char* val, size_t vallen, char** errptr) {
  writer->pending.push_back(sett::KV{std::string(key, keylen), std::string(val, vallen)});
  if (writer->pending.size() < 1024) return;
  SaveError(writer->rep->Write(writer->pending), errptr);
  writer->pending.clear();
}
void sett_stream_writer_finish(sett_stream_writer_t* writer, char** errptr) {
  sett::Status s =
      writer->pending.empty() ? sett::Status::OK() : writer->rep->Write(writer->pending);
  writer->pending.clear();
  if (s.ok()) s = writer->rep->Finish();
  SaveError(s, errptr);
}
void sett_stream_writer_destroy(sett_stream_writer_t* writer) { delete writer; }

}  // extern "C"
