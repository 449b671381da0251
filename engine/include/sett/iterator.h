// Iterator walks the keys of a DB in order (or in reverse order, by ReadOptions::reverse) as
// they were at one read timestamp, showing the newest version of each key at or below it and
// hiding deleted keys. Writes made after the iterator was created are not seen.
//
// An iterator that hits a damaged block stops: Valid() turns false and status() says what
// failed, so a scan is never silently cut short.
//
// Thread safety: one thread at a time. The key() and value() views stay valid until the next
// move. Destroy every iterator before closing its DB.

#ifndef SETT_ITERATOR_H_
#define SETT_ITERATOR_H_

#include <cstdint>
#include <string_view>

#include "sett/status.h"

namespace sett {

class Iterator {
 public:
  virtual ~Iterator() = default;

  // Positions at the first key (the last one when reverse) within the prefix, if any.
  virtual void Rewind() = 0;
  // Positions at the first key >= key (reverse: the last key <= key) within the prefix.
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;

  // REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  // Empty for a value left in the value log by ReadOptions::key_only.
  virtual std::string_view value() const = 0;
  // The value's length, known without reading it.
  virtual uint64_t value_size() const = 0;
  virtual uint64_t version() const = 0;
  virtual uint8_t user_meta() const = 0;
  virtual uint64_t expires_at() const = 0;
  // A tombstone or an expired version; only all-versions iteration returns those.
  virtual bool deleted() const = 0;

  // OK unless the iterator stopped on an error.
  virtual Status status() const = 0;
};

}  // namespace sett

#endif  // SETT_ITERATOR_H_
