#include "util/record_file.h"

#include <cstring>

#include "util/coding.h"
#include "util/file_header.h"
#include "util/hash.h"

namespace sett {
namespace {

constexpr size_t kReadChunk = 1 << 20;

uint64_t RecordChecksum(const char* header16, std::string_view payload) {
  return SeededChecksum64(payload.data(), payload.size(), Checksum64(header16, 16));
}

}  // namespace

Status RecordWriter::Create(Env* env, const std::string& path, uint64_t file_magic,
                            uint32_t format_version, std::unique_ptr<RecordWriter>* writer) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  s = file->Append(EncodeFileHeader(file_magic, format_version));
  if (!s.ok()) return s;
  writer->reset(new RecordWriter(std::move(file), 0));
  return Status::OK();
}

Status RecordWriter::OpenForAppend(Env* env, const std::string& path,
                                   std::unique_ptr<RecordWriter>* writer) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewAppendableFile(path, &file);
  if (s.ok()) s = file->Sync();
  if (!s.ok()) return s;
  uint64_t size = file->Size();
  writer->reset(new RecordWriter(std::move(file), size));
  return Status::OK();
}

Status RecordWriter::AddRecord(std::string_view payload) {
  if (payload.size() > UINT32_MAX) {
    return Status::InvalidArgument("record of " + std::to_string(payload.size()) +
                                   " bytes is too large for " + path());
  }
  char header[kRecordHeaderSize];
  EncodeFixed32(header, kRecordMagic);
  EncodeFixed32(header + 4, static_cast<uint32_t>(payload.size()));
  EncodeFixed64(header + 8, durable_offset_);
  EncodeFixed64(header + 16, RecordChecksum(header, payload));
  Status s = file_->Append(std::string_view(header, sizeof(header)));
  if (s.ok()) s = file_->Append(payload);
  if (!s.ok()) append_failed_ = true;
  return s;
}

Status RecordWriter::Flush() {
  Status s = file_->Flush();
  if (s.ok() && !append_failed_) intact_end_ = file_->Size();
  return s;
}

Status RecordWriter::Sync() {
  Status s = file_->Sync();
  if (s.ok()) durable_offset_ = file_->Size();
  return s;
}

Status RecordWriter::Close() { return file_->Close(); }

Status RecordReader::Open(Env* env, const std::string& path, uint64_t file_magic,
                          uint32_t format_version, std::unique_ptr<RecordReader>* reader) {
  uint64_t size;
  Status s = env->GetFileSize(path, &size);
  if (!s.ok()) return s;
  std::unique_ptr<RandomAccessFile> file;
  s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  reader->reset(new RecordReader(std::move(file), size));
  RecordReader* r = reader->get();
  if (size < kRecordFileHeaderSize) {
    // Created, then cut off by a crash before its header reached the disk.
    r->done_ = true;
    r->damaged_ = size > 0;
    r->intact_end_ = 0;
    return Status::OK();
  }
  s = r->Fill(0, kRecordFileHeaderSize);
  if (!s.ok()) return s;
  return CheckFileHeader(std::string_view(r->buffer_.data(), kRecordFileHeaderSize), path,
                         file_magic, format_version);
}

Status RecordReader::Fill(uint64_t offset, size_t n) {
  if (offset >= buffer_offset_ && offset + n <= buffer_offset_ + buffer_.size()) {
    return Status::OK();
  }
  size_t want = std::max(n, kReadChunk);
  if (offset + want > file_size_) want = static_cast<size_t>(file_size_ - offset);
  std::string fresh(want, '\0');
  std::string_view got;
  Status s = file_->Read(offset, want, fresh.data(), &got);
  if (!s.ok()) return s;
  if (got.size() < n) {
    return Status::IOError(file_->path() + ": short read at offset " + std::to_string(offset));
  }
  fresh.resize(got.size());
  buffer_ = std::move(fresh);
  buffer_offset_ = offset;
  return Status::OK();
}

size_t RecordReader::ParseRecord(const char* data, size_t n, std::string_view* payload,
                                 uint64_t* durable_offset) {
  if (n < kRecordHeaderSize || DecodeFixed32(data) != kRecordMagic) return 0;
  uint64_t length = DecodeFixed32(data + 4);
  if (length > n - kRecordHeaderSize) return 0;
  std::string_view body(data + kRecordHeaderSize, length);
  if (DecodeFixed64(data + 16) != RecordChecksum(data, body)) return 0;
  *payload = body;
  *durable_offset = DecodeFixed64(data + 8);
  return kRecordHeaderSize + length;
}

bool RecordReader::Next(std::string_view* payload) {
  if (done_) return false;
  if (pos_ == file_size_) {
    done_ = true;
    return false;
  }
  const char* why = nullptr;
  size_t available = static_cast<size_t>(file_size_ - pos_);
  if (available < kRecordHeaderSize) {
    why = "short record header";
  } else {
    status_ = Fill(pos_, kRecordHeaderSize);
    if (!status_.ok()) {
      done_ = true;
      return false;
    }
    const char* h = buffer_.data() + (pos_ - buffer_offset_);
    uint64_t length = DecodeFixed32(h + 4);
    bool legible = DecodeFixed32(h) == kRecordMagic;  // h dangles once Fill reads more.
    if (!legible) {
      why = "bad record magic";
    } else if (length > available - kRecordHeaderSize) {
      why = "record runs past the end of the file";
    } else {
      status_ = Fill(pos_, kRecordHeaderSize + length);
      if (!status_.ok()) {
        done_ = true;
        return false;
      }
      uint64_t durable;
      size_t total = ParseRecord(buffer_.data() + (pos_ - buffer_offset_),
                                 kRecordHeaderSize + length, payload, &durable);
      if (total > 0) {
        record_offset_ = pos_;
        pos_ += total;
        intact_end_ = pos_;
        return true;
      }
      why = "checksum mismatch";
    }
    if (legible) damaged_record_end_ = pos_ + kRecordHeaderSize + length;
  }
  ExamineDamage(pos_, why);
  done_ = true;
  return false;
}

void RecordReader::RejectLastRecord(const char* why) {
  pos_ = intact_end_ = record_offset_;
  done_ = true;
  ExamineDamage(record_offset_, why);
}

void RecordReader::ExamineDamage(uint64_t offset, const char* why) {
  damaged_ = true;
  // Look at every intact record after the damage for one written after the damaged bytes were
  // durable. This reads the rest of the file, which only happens on a damaged file.
  size_t rest = static_cast<size_t>(file_size_ - offset);
  Status s = Fill(offset, rest);
  if (!s.ok()) {
    status_ = s;
    return;
  }
  const char* base = buffer_.data() + (offset - buffer_offset_);
  char magic[4];
  EncodeFixed32(magic, kRecordMagic);
  size_t p = 1;
  while (p + kRecordHeaderSize <= rest) {
    const void* hit = memmem(base + p, rest - p, magic, sizeof(magic));
    if (hit == nullptr) break;
    p = static_cast<const char*>(hit) - base;
    std::string_view payload;
    uint64_t durable;
    size_t total = ParseRecord(base + p, rest - p, &payload, &durable);
    if (total == 0) {
      p++;
      continue;
    }
    if (durable > offset) {
      status_ = Status::Corruption(file_->path() + ": damaged record at offset " +
                                   std::to_string(offset) + " (" + why +
                                   "), but the intact record at offset " +
                                   std::to_string(offset + p) + " was written after it was synced");
      return;
    }
    p += total;
  }
}

}  // namespace sett
