#include "table/format.h"

#include <memory>

#include "util/coding.h"
#include "util/compression.h"
#include "util/hash.h"
#include "util/key_registry.h"

namespace sett {
namespace {

std::string BlockError(const std::string& path, const BlockHandle& h, const std::string& what) {
  return path + ": block at offset " + std::to_string(h.offset) + " (" + std::to_string(h.size) +
         " bytes): " + what;
}

}  // namespace

std::string EncodeFooter(const Footer& footer) {
  std::string out;
  PutFixed64(&out, footer.index.offset);
  PutFixed32(&out, static_cast<uint32_t>(footer.index.size));
  PutFixed64(&out, footer.bloom.offset);
  PutFixed32(&out, static_cast<uint32_t>(footer.bloom.size));
  PutFixed32(&out, kTableFormatVersion);
  PutFixed32(&out, 0);
  PutFixed64(&out, Checksum64(out.data(), out.size()));
  PutFixed64(&out, kTableMagic);
  return out;
}

Status DecodeFooter(std::string_view data, const std::string& path, uint64_t file_size,
                    Footer* footer) {
  std::string where = path + ": footer at offset " + std::to_string(file_size - kFooterSize);
  if (data.size() != kFooterSize) return Status::Corruption(path + ": file too short for a table");
  const char* p = data.data();
  if (DecodeFixed64(p + 40) != kTableMagic) return Status::Corruption(where + ": bad magic");
  if (DecodeFixed64(p + 32) != Checksum64(p, 32)) {
    return Status::Corruption(where + ": checksum mismatch");
  }
  uint32_t version = DecodeFixed32(p + 24);
  if (version != kTableFormatVersion) {
    return Status::NotSupported(where + ": format version " + std::to_string(version));
  }
  footer->index = BlockHandle{DecodeFixed64(p), DecodeFixed32(p + 8)};
  footer->bloom = BlockHandle{DecodeFixed64(p + 12), DecodeFixed32(p + 20)};
  uint64_t limit = file_size - kFooterSize;
  for (const BlockHandle* h : {&footer->index, &footer->bloom}) {
    if (h->offset > limit || h->size + kBlockTrailerSize > limit - h->offset) {
      return Status::Corruption(where + ": block handle points outside the file");
    }
  }
  return Status::OK();
}

namespace {

// What binds an encrypted block to its place: the table and the offset.
std::string BlockAad(const BlockCipher& cipher, uint64_t offset) {
  std::string aad;
  PutFixed64(&aad, cipher.table_id);
  PutFixed64(&aad, offset);
  return aad;
}

}  // namespace

Status AppendStoredBlock(std::string_view contents, Compression compression, int zstd_level,
                         const BlockCipher& cipher, uint64_t offset, std::string* out) {
  size_t start = out->size();
  std::string compressed;
  if (Compress(compression, zstd_level, contents, &compressed) &&
      CompressionPays(contents.size(), compressed.size())) {
    contents = compressed;
  } else {
    compression = Compression::kNone;
  }
  if (cipher.keys != nullptr) {
    Status s = cipher.keys->Seal(BlockAad(cipher, offset), contents, out);
    if (!s.ok()) return s;
  } else {
    out->append(contents.data(), contents.size());
  }
  out->push_back(static_cast<char>(compression));
  PutFixed64(out, Checksum64(out->data() + start, out->size() - start));
  return Status::OK();
}

Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, std::string* contents,
                 const BlockCipher& cipher) {
  size_t n = static_cast<size_t>(handle.size) + kBlockTrailerSize;
  // The stored block is only read through: blocks of ordinary size land in a buffer each
  // thread keeps, sparing a large allocation and its free on every block-cache miss. It is
  // uninitialised, and read no further than the read went.
  constexpr size_t kScratchLimit = 256 << 10;
  thread_local std::unique_ptr<char[]> scratch;
  std::unique_ptr<char[]> oversized;
  char* buffer;
  if (n <= kScratchLimit) {
    if (scratch == nullptr) scratch.reset(new char[kScratchLimit]);
    buffer = scratch.get();
  } else {
    oversized.reset(new char[n]);
    buffer = oversized.get();
  }
  std::string_view got;
  Status s = file.Read(handle.offset, n, buffer, &got);
  if (!s.ok()) return s;
  if (got.size() != n) {
    return Status::Corruption(BlockError(file.path(), handle, "file ends inside the block"));
  }
  uint64_t expected = DecodeFixed64(got.data() + handle.size + 1);
  uint64_t actual = Checksum64(got.data(), handle.size + 1);
  if (expected != actual) {
    return Status::Corruption(BlockError(file.path(), handle, "checksum mismatch"));
  }
  auto type = static_cast<Compression>(got[handle.size]);
  std::string_view body = got.substr(0, handle.size);
  std::string opened;
  if (cipher.keys != nullptr) {
    s = cipher.keys->Open(BlockAad(cipher, handle.offset), body,
                          BlockError(file.path(), handle, "encrypted block"), &opened);
    if (!s.ok()) return s;
    body = opened;
  }
  if (type == Compression::kNone) {
    contents->assign(body.data(), body.size());
    return Status::OK();
  }
  if (!Uncompress(type, body, kMaxBlockContentSize, contents)) {
    return Status::Corruption(
        BlockError(file.path(), handle,
                   "cannot decompress (type " + std::to_string(static_cast<int>(type)) + ")"));
  }
  return Status::OK();
}

}  // namespace sett
