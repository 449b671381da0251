// StreamWriterImpl is sett::StreamWriter: it holds the DB's write turn for the whole load,
// encodes each key at the load's version with its value inline into a run of about
// DBImpl::LoadTableSize bytes, and hands each run to a worker that builds its table (building
// - compression, filters, checksums - is most of a load's work: with two workers and the
// caller encoding, a load uses the cores it has). At Finish it records all the tables at the
// deepest level in one MANIFEST edit (the load's commit point: before it, a crash leaves
// orphan tables that the next open deletes). Abandoned, it deletes what it wrote.
//
// Thread safety: one thread at a time.

#ifndef SETT_DB_STREAM_WRITER_IMPL_H_
#define SETT_DB_STREAM_WRITER_IMPL_H_

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "lsm/level_state.h"
#include "lsm/table_file_builder.h"
#include "sett/stream.h"
#include "util/thread_pool.h"

namespace sett {

class DBImpl;

class StreamWriterImpl : public StreamWriter {
 public:
  // REQUIRES: db->BeginLoad succeeded with version.
  StreamWriterImpl(DBImpl* db, uint64_t version);
  ~StreamWriterImpl() override;

  Status Write(const std::vector<KV>& kvs) override;
  Status Finish() override;

 private:
  // A table being built from one run of entries.
  struct Building {
    std::shared_ptr<Table> table;
    std::future<Status> done;
  };

  Status Check(const KV& kv, size_t index) const;
  // Hands the current run to a worker; waits first while too many are being built.
  Status CutTable();
  // Waits for the oldest table being built; its error, if any.
  Status WaitOldest();
  void Abandon();

  DBImpl* const db_;
  const uint64_t version_;
  bool done_ = false;
  Status error_;  // The first failure: the load is lost from then on.
  std::string last_key_;
  bool have_last_ = false;
  std::string run_;  // Length-prefixed internal keys and value structs.
  std::vector<std::unique_ptr<Building>> building_;  // Oldest first; tables in key order.
  TableList tables_;                                 // Built, in key order.
  std::string value_struct_;
  uint64_t entries_ = 0;
  ThreadPool workers_;
};

}  // namespace sett

#endif  // SETT_DB_STREAM_WRITER_IMPL_H_
