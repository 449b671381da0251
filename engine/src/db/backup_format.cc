#include "db/backup_format.h"

#include <algorithm>

#include "format/key_format.h"
#include "util/coding.h"
#include "util/file_header.h"
#include "util/hash.h"

namespace sett {
namespace {

constexpr size_t kRecordTarget = 1 << 20;
constexpr uint32_t kMaxRecord = 1u << 31;

}  // namespace

Status BackupWriter::WriteRecord(const std::string& payload) {
  char header[12];
  EncodeFixed32(header, static_cast<uint32_t>(payload.size()));
  EncodeFixed64(header + 4, SeededChecksum64(payload.data(), payload.size(), payload.size()));
  out_->write(header, sizeof(header));
  out_->write(payload.data(), static_cast<std::streamsize>(payload.size()));
  if (!*out_) return Status::IOError("writing the backup failed");
  return Status::OK();
}

Status BackupWriter::Begin(uint64_t since_ts, uint64_t backup_ts) {
  std::string header = EncodeFileHeader(kBackupMagic, kBackupFormatVersion);
  out_->write(header.data(), static_cast<std::streamsize>(header.size()));
  std::string payload = "H";
  PutVarint64(&payload, since_ts);
  PutVarint64(&payload, backup_ts);
  return WriteRecord(payload);
}

Status BackupWriter::Add(const KV& kv) {
  PutLengthPrefixed(&pending_, kv.key);
  PutVarint64(&pending_, kv.version);
  pending_.push_back(static_cast<char>(kv.deleted ? kMetaDelete : 0));
  pending_.push_back(static_cast<char>(kv.user_meta));
  PutVarint64(&pending_, kv.expires_at);
  PutLengthPrefixed(&pending_, kv.value);
  pending_count_++;
  entries_++;
  return pending_.size() >= kRecordTarget ? FlushEntries() : Status::OK();
}

Status BackupWriter::FlushEntries() {
  if (pending_count_ == 0) return Status::OK();
  std::string payload = "E";
  PutVarint32(&payload, pending_count_);
  payload += pending_;
  pending_.clear();
  pending_count_ = 0;
  return WriteRecord(payload);
}

Status BackupWriter::Finish() {
  Status s = FlushEntries();
  if (!s.ok()) return s;
  std::string payload = "Z";
  PutVarint64(&payload, entries_);
  s = WriteRecord(payload);
  out_->flush();
  if (s.ok() && !*out_) s = Status::IOError("writing the backup failed");
  return s;
}

Status BackupReader::ReadRecord(std::string* payload) {
  char header[12];
  in_->read(header, sizeof(header));
  if (in_->gcount() != sizeof(header)) {
    return Status::Corruption("backup ends at offset " + std::to_string(offset_) +
                              " without its closing record (cut short?)");
  }
  uint32_t length = DecodeFixed32(header);
  if (length == 0 || length > kMaxRecord) {
    return Status::Corruption("backup: bad record length at offset " + std::to_string(offset_));
  }
  // Grow the buffer only as the bytes arrive: a damaged length must not allocate gigabytes
  // for a stream that ends a few bytes later (found by the backup fuzzer).
  payload->clear();
  constexpr uint32_t kChunk = 1 << 20;
  for (uint32_t done = 0; done < length;) {
    uint32_t n = std::min(kChunk, length - done);
    payload->resize(done + n);
    in_->read(payload->data() + done, n);
    if (static_cast<uint32_t>(in_->gcount()) != n) {
      return Status::Corruption("backup: record at offset " + std::to_string(offset_) +
                                " is cut short");
    }
    done += n;
  }
  if (DecodeFixed64(header + 4) != SeededChecksum64(payload->data(), length, length)) {
    return Status::Corruption("backup: checksum mismatch in the record at offset " +
                              std::to_string(offset_));
  }
  offset_ += sizeof(header) + length;
  return Status::OK();
}

Status BackupReader::Begin(uint64_t* since_ts, uint64_t* backup_ts) {
  char header[kFileHeaderSize];
  in_->read(header, sizeof(header));
  if (in_->gcount() != sizeof(header)) return Status::Corruption("backup: too short for a header");
  Status s = CheckFileHeader(std::string_view(header, sizeof(header)), "backup", kBackupMagic,
                             kBackupFormatVersion);
  if (!s.ok()) return s;
  offset_ = sizeof(header);
  std::string payload;
  s = ReadRecord(&payload);
  if (!s.ok()) return s;
  std::string_view in = payload;
  uint8_t kind;
  if (!GetByte(&in, &kind) || kind != 'H' || !GetVarint64(&in, since_ts) ||
      !GetVarint64(&in, backup_ts) || !in.empty()) {
    return Status::Corruption("backup: the first record is not a backup header");
  }
  return Status::OK();
}

Status BackupReader::Next(std::vector<KV>* entries, bool* done) {
  entries->clear();
  *done = false;
  uint64_t where = offset_;
  std::string payload;
  Status s = ReadRecord(&payload);
  if (!s.ok()) return s;
  std::string_view in = payload;
  uint8_t kind;
  GetByte(&in, &kind);
  auto bad = [&] {
    return Status::Corruption("backup: malformed record at offset " + std::to_string(where));
  };
  if (kind == 'Z') {
    uint64_t total;
    if (!GetVarint64(&in, &total) || !in.empty()) return bad();
    if (total != entries_) {
      return Status::Corruption("backup: closing record counts " + std::to_string(total) +
                                " entries, the backup holds " + std::to_string(entries_));
    }
    *done = true;
    return Status::OK();
  }
  uint32_t count;
  if (kind != 'E' || !GetVarint32(&in, &count)) return bad();
  for (uint32_t i = 0; i < count; i++) {
    KV kv;
    std::string_view key, value;
    uint8_t meta, user_meta;
    if (!GetLengthPrefixed(&in, &key) || !GetVarint64(&in, &kv.version) || !GetByte(&in, &meta) ||
        !GetByte(&in, &user_meta) || !GetVarint64(&in, &kv.expires_at) ||
        !GetLengthPrefixed(&in, &value) || key.empty()) {
      return bad();
    }
    kv.key.assign(key.data(), key.size());
    kv.value.assign(value.data(), value.size());
    kv.deleted = (meta & kMetaDelete) != 0;
    kv.user_meta = user_meta;
    entries->push_back(std::move(kv));
  }
  if (!in.empty()) return bad();
  entries_ += count;
  return Status::OK();
}

}  // namespace sett
