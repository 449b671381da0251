// The bytes `settfs send` writes and `settfs receive` reads: the changes that take a
// filesystem from one snapshot to another (or from nothing, for a full stream), checksummed
// as a whole.
//
//   stream := header | record* | end
//   header := "SETTFSND" | u32 version (1) | str from_id ("" for a full stream) |
//             str to_name | str to_id
//   record := 'S' | str key | str value        a key set to a value
//           | 'D' | str key                    a key deleted
//   end    := 'E' | u64 records | u64 XXH3-64 of every byte before it
//   str    := u32 size | bytes                 (integers little-endian, core/codec.h)
//
// The reader trusts nothing: sizes are bounded, and a stream is used only once all of it has
// been read and its checksum matched (receive keeps it in a file meanwhile).

#ifndef SETTFS_TOOLS_SEND_STREAM_H_
#define SETTFS_TOOLS_SEND_STREAM_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sett/status.h"
#include "tree_changes.h"

struct XXH3_state_s;

namespace settfs {

struct StreamHeader {
  std::string from_id;  // Empty: a full stream.
  std::string to_name;
  std::string to_id;
};

// Encodes a stream into `out`, a chunk at a time.
class StreamWriter {
 public:
  using Sink = std::function<sett::Status(std::string_view bytes)>;
  StreamWriter(const StreamHeader& header, Sink out);
  ~StreamWriter();
  sett::Status Add(const KeyChange& change);
  sett::Status Finish();
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }

 private:
  sett::Status Emit(bool force);

  Sink out_;
  XXH3_state_s* hash_;
  std::string buffer_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
};

// Reads a stream from a file: Open checks the header, Verify reads it all and checks the
// end and the checksum, then ForEach hands out the records.
class StreamReader {
 public:
  ~StreamReader();
  // Corruption (naming what and where) for anything malformed.
  static sett::Status Open(const std::string& path, std::unique_ptr<StreamReader>* reader);
  const StreamHeader& header() const { return header_; }
  sett::Status Verify();
  sett::Status ForEach(const std::function<sett::Status(const KeyChange&)>& fn);
  uint64_t records() const { return records_; }

 private:
  StreamReader(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  sett::Status ReadHeader();
  // Walks the records from the start; fn may be empty (verifying only).
  sett::Status Walk(const std::function<sett::Status(const KeyChange&)>& fn);

  const std::string path_;
  std::FILE* file_;
  StreamHeader header_;
  uint64_t records_start_ = 0;
  uint64_t records_ = 0;
  bool verified_ = false;
};

}  // namespace settfs

#endif  // SETTFS_TOOLS_SEND_STREAM_H_
