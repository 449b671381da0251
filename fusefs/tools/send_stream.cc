#include "send_stream.h"

#include <xxhash.h>

#include <cerrno>

#include "core/codec.h"
#include "sett/db.h"

namespace settfs {

using sett::Status;

namespace {

constexpr char kMagic[] = "SETTFSND";
constexpr uint32_t kVersion = 1;
constexpr size_t kChunk = 1 << 20;
constexpr uint32_t kMaxName = 4096;

}  // namespace

StreamWriter::StreamWriter(const StreamHeader& header, Sink out)
    : out_(std::move(out)), hash_(XXH3_createState()) {
  XXH3_64bits_reset(hash_);
  buffer_.append(kMagic, 8);
  PutU32(&buffer_, kVersion);
  PutBytes(&buffer_, header.from_id);
  PutBytes(&buffer_, header.to_name);
  PutBytes(&buffer_, header.to_id);
}

StreamWriter::~StreamWriter() { XXH3_freeState(hash_); }

Status StreamWriter::Emit(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kChunk)) return Status::OK();
  XXH3_64bits_update(hash_, buffer_.data(), buffer_.size());
  bytes_ += buffer_.size();
  Status s = out_(buffer_);
  buffer_.clear();
  return s;
}

Status StreamWriter::Add(const KeyChange& change) {
  PutU8(&buffer_, change.deleted ? 'D' : 'S');
  PutBytes(&buffer_, change.key);
  if (!change.deleted) PutBytes(&buffer_, change.value);
  records_++;
  return Emit(false);
}

Status StreamWriter::Finish() {
  PutU8(&buffer_, 'E');
  PutU64(&buffer_, records_);
  Status s = Emit(true);
  if (!s.ok()) return s;
  PutU64(&buffer_, XXH3_64bits_digest(hash_));
  bytes_ += buffer_.size();
  s = out_(buffer_);
  buffer_.clear();
  return s;
}

StreamReader::~StreamReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status StreamReader::Open(const std::string& path, std::unique_ptr<StreamReader>* reader) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::IOError("opening " + path, errno);
  reader->reset(new StreamReader(path, file));
  return (*reader)->ReadHeader();
}

namespace {

// Reads fields off a stream file, hashing what it reads; the first short read or oversized
// field fails it with where it happened.
class FieldReader {
 public:
  FieldReader(std::FILE* file, const std::string& path, XXH3_state_t* hash)
      : file_(file), path_(path), hash_(hash) {}
  bool Exact(size_t n, std::string* out) {
    out->resize(n);
    if (n > 0 && std::fread(out->data(), 1, n, file_) != n) return Fail("the stream ends early");
    if (hash_ != nullptr) XXH3_64bits_update(hash_, out->data(), n);
    offset_ += n;
    return true;
  }
  bool Integer(size_t n, uint64_t* v) {
    if (!Exact(n, &scratch_)) return false;
    Reader in(scratch_);
    *v = n == 4 ? in.U32() : in.U64();
    return true;
  }
  bool Bytes(uint64_t max, std::string* out) {
    uint64_t n;
    if (!Integer(4, &n)) return false;
    if (n > max) return Fail("a field of " + std::to_string(n) + " bytes is too long");
    return Exact(static_cast<size_t>(n), out);
  }
  bool Fail(const std::string& why) {
    if (error_.ok()) {
      error_ = Status::Corruption(path_ + ": " + why + " (at byte " + std::to_string(offset_) +
                                  "): not a whole settfs send stream");
    }
    return false;
  }
  const Status& error() const { return error_; }
  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t offset) { offset_ = offset; }

 private:
  std::FILE* const file_;
  const std::string& path_;
  XXH3_state_t* const hash_;
  std::string scratch_;
  uint64_t offset_ = 0;
  Status error_;
};

}  // namespace

Status StreamReader::ReadHeader() {
  FieldReader in(file_, path_, nullptr);
  std::string magic;
  uint64_t version = 0;
  if (!in.Exact(8, &magic)) return in.error();
  if (magic != kMagic) {
    in.Fail("no stream header");
    return in.error();
  }
  if (!in.Integer(4, &version)) return in.error();
  if (version != kVersion) {
    return Status::NotSupported(path_ + ": a send stream of version " + std::to_string(version) +
                                " (this settfs reads version 1)");
  }
  if (!in.Bytes(kMaxName, &header_.from_id) || !in.Bytes(kMaxName, &header_.to_name) ||
      !in.Bytes(kMaxName, &header_.to_id)) {
    return in.error();
  }
  records_start_ = in.offset();
  return Status::OK();
}

Status StreamReader::Walk(const std::function<Status(const KeyChange&)>& fn) {
  if (std::fseek(file_, 0, SEEK_SET) != 0) return Status::IOError("seeking " + path_, errno);
  XXH3_state_t* hash = XXH3_createState();
  XXH3_64bits_reset(hash);
  FieldReader in(file_, path_, hash);
  std::string skipped;
  in.Exact(static_cast<size_t>(records_start_), &skipped);  // The header, hashed too.
  KeyChange change;
  uint64_t count = 0;
  Status s;
  while (s.ok()) {
    std::string kind;
    if (!in.Exact(1, &kind)) break;
    if (kind[0] == 'E') {
      uint64_t records = 0, sum = 0;
      const uint64_t digest = in.Integer(8, &records) ? XXH3_64bits_digest(hash) : 0;
      XXH3_freeState(hash);
      if (!in.error().ok()) return in.error();
      FieldReader tail(file_, path_, nullptr);
      tail.set_offset(in.offset());
      if (!tail.Integer(8, &sum)) return tail.error();
      if (records != count) return Status::Corruption(path_ + ": the record count is wrong");
      if (sum != digest) return Status::Corruption(path_ + ": checksum mismatch");
      if (std::fgetc(file_) != EOF) return Status::Corruption(path_ + ": bytes after the end");
      records_ = count;
      return Status::OK();
    }
    if (kind[0] != 'S' && kind[0] != 'D') {
      in.Fail("an unknown record kind");
      break;
    }
    change.deleted = kind[0] == 'D';
    if (!in.Bytes(sett::kMaxKeySize, &change.key)) break;
    if (!change.deleted && !in.Bytes(sett::kMaxValueSize, &change.value)) break;
    count++;
    if (fn) s = fn(change);
  }
  XXH3_freeState(hash);
  return s.ok() ? in.error() : s;
}

Status StreamReader::Verify() {
  Status s = Walk(nullptr);
  verified_ = s.ok();
  return s;
}

Status StreamReader::ForEach(const std::function<Status(const KeyChange&)>& fn) {
  if (!verified_) return Status::InvalidArgument(path_ + ": verify the stream first");
  return Walk(fn);
}

}  // namespace settfs
