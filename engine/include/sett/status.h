// Status is the result of every fallible sett operation: OK, or a category plus a message that
// names what failed (file, offset, key) and, for I/O errors, the errno. sett does not throw.
// A Status may not be dropped silently ([[nodiscard]]): handle it, or call IgnoreError() where
// a failure changes nothing (say why beside it).
//
// Thread safety: a Status is a plain value; distinct objects may be used from distinct threads.

#ifndef SETT_STATUS_H_
#define SETT_STATUS_H_

#include <string>
#include <string_view>

namespace sett {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,
    kNotSupported,
    kInvalidArgument,
    kIOError,
    kConflict,          // A transaction lost a serializable-isolation race; retry it.
    kBusy,              // The resource is held by someone else (for example the DB's LOCK file).
    kAborted,           // The operation was stopped, for example because the DB is closing.
    kNothingToCollect,  // Value-log GC found no file worth collecting.
    kTxnTooBig,         // A transaction outgrew what one commit may write.
    kAlreadyExists,     // A name is taken (for example a named snapshot's).
  };

  Status() = default;

  // Drops this status on purpose: cleanup after another failure, or best effort.
  void IgnoreError() const {}

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  // An I/O error; `err` is the errno that caused it (0 when there was none).
  static Status IOError(std::string_view msg, int err = 0);
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }
  static Status NothingToCollect(std::string_view msg) {
    return Status(Code::kNothingToCollect, msg);
  }
  static Status TxnTooBig(std::string_view msg) { return Status(Code::kTxnTooBig, msg); }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsAborted() const { return code_ == Code::kAborted; }
  bool IsNothingToCollect() const { return code_ == Code::kNothingToCollect; }
  bool IsTxnTooBig() const { return code_ == Code::kTxnTooBig; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }

  Code code() const { return code_; }
  // The errno behind an I/O error, or 0.
  int error_number() const { return errno_; }
  const std::string& message() const { return msg_; }

  // "OK", or "<category>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg, int err = 0) : code_(code), errno_(err), msg_(msg) {}

  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string msg_;
};

}  // namespace sett

#endif  // SETT_STATUS_H_
