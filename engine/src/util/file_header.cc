#include "util/file_header.h"

#include "util/coding.h"
#include "util/hash.h"

namespace sett {

std::string EncodeFileHeader(uint64_t magic, uint32_t format_version) {
  std::string header;
  PutFixed64(&header, magic);
  PutFixed32(&header, format_version);
  PutFixed32(&header, 0);
  PutFixed64(&header, Checksum64(header.data(), header.size()));
  return header;
}

Status CheckFileHeader(std::string_view header, const std::string& path, uint64_t magic,
                       uint32_t format_version) {
  const char* h = header.data();
  if (header.size() < kFileHeaderSize || DecodeFixed64(h + 16) != Checksum64(h, 16) ||
      DecodeFixed64(h) != magic) {
    return Status::Corruption(path +
                              ": bad file header at offset 0 (not a file of this kind, or "
                              "damaged)");
  }
  uint32_t version = DecodeFixed32(h + 8);
  if (version == 0 || version > format_version) {
    return Status::NotSupported(path + ": format version " + std::to_string(version) +
                                " (this build reads version " + std::to_string(format_version) +
                                ")");
  }
  return Status::OK();
}

}  // namespace sett
