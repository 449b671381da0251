#include "util/whole_file.h"

#include <memory>

#include "util/coding.h"
#include "util/file_header.h"
#include "util/hash.h"

namespace sett {

Status WriteWholeFile(Env* env, const std::string& dir, const std::string& path, uint64_t magic,
                      uint32_t format_version, std::string_view body) {
  std::string contents = EncodeFileHeader(magic, format_version);
  contents.append(body);
  PutFixed64(&contents, Checksum64(body.data(), body.size()));
  const std::string tmp = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(tmp, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) env->RemoveFile(tmp).IgnoreError();  // Cleanup after the returned failure.
  return s;
}

Status ReadWholeFile(Env* env, const std::string& path, uint64_t magic, uint32_t format_version,
                     std::string* body) {
  if (!env->FileExists(path)) return Status::NotFound(path + " does not exist");
  uint64_t size;
  std::unique_ptr<RandomAccessFile> file;
  Status s = env->GetFileSize(path, &size);
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  std::string data(size, '\0');
  std::string_view got;
  s = file->Read(0, size, data.data(), &got);
  if (s.ok() && got.size() != size) s = Status::Corruption(path + ": short read");
  if (s.ok()) s = CheckFileHeader(got, path, magic, format_version);
  if (!s.ok()) return s;
  std::string_view rest = got.substr(kFileHeaderSize);
  if (rest.size() < 8 ||
      DecodeFixed64(rest.data() + rest.size() - 8) != Checksum64(rest.data(), rest.size() - 8)) {
    return Status::Corruption(path + ": checksum mismatch in the " + std::to_string(rest.size()) +
                              " bytes after offset " + std::to_string(kFileHeaderSize));
  }
  body->assign(rest.data(), rest.size() - 8);
  return Status::OK();
}

}  // namespace sett
