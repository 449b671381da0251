#include "sett/status.h"

#include <cstring>

namespace sett {

Status Status::IOError(std::string_view msg, int err) {
  if (err == 0) return Status(Code::kIOError, msg, 0);
  std::string full(msg);
  full += ": ";
  full += std::strerror(err);
  return Status(Code::kIOError, full, err);
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      name = "not found";
      break;
    case Code::kCorruption:
      name = "corruption";
      break;
    case Code::kNotSupported:
      name = "not supported";
      break;
    case Code::kInvalidArgument:
      name = "invalid argument";
      break;
    case Code::kIOError:
      name = "I/O error";
      break;
    case Code::kConflict:
      name = "conflict";
      break;
    case Code::kBusy:
      name = "busy";
      break;
    case Code::kAborted:
      name = "aborted";
      break;
    case Code::kNothingToCollect:
      name = "nothing to collect";
      break;
    case Code::kTxnTooBig:
      name = "transaction too big";
      break;
    case Code::kAlreadyExists:
      name = "already exists";
      break;
  }
  return std::string(name) + ": " + msg_;
}

}  // namespace sett
