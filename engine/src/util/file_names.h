// Names of the files in a DB directory:
//   NNNNNN.sst   a table            NNNNNN.mem   a memtable's write-ahead log
//   MANIFEST     the level layout   LOCK         held while the DB is open
// Table and log numbers come from one counter, so no two files share a number.

#ifndef SETT_UTIL_FILE_NAMES_H_
#define SETT_UTIL_FILE_NAMES_H_

#include <cstdint>
#include <string>

namespace sett {

enum class FileType { kTable, kWal, kManifest, kManifestRewrite, kLock, kUnknown };

std::string TableFileName(const std::string& dir, uint64_t id);
std::string WalFileName(const std::string& dir, uint64_t id);
std::string ManifestFileName(const std::string& dir);
std::string ManifestRewriteFileName(const std::string& dir);
std::string LockFileName(const std::string& dir);

// Classifies a directory entry; *id is set for tables and logs.
FileType ParseFileName(const std::string& name, uint64_t* id);

}  // namespace sett

#endif  // SETT_UTIL_FILE_NAMES_H_
