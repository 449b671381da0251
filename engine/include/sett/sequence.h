// Sequence hands out increasing numbers from a counter kept under a key. It leases `bandwidth`
// numbers at a time with one durable write, so that Next is cheap, and no number is ever handed
// out twice - not across processes, not after a crash (numbers leased but not handed out before
// a crash are skipped). The key holds the first number of the next lease as 8 bytes,
// little-endian: a copy of a database may move it forward.
//
// Thread safety: Next and Release may be called concurrently.

#ifndef SETT_SEQUENCE_H_
#define SETT_SEQUENCE_H_

#include <cstdint>

#include "sett/status.h"

namespace sett {

class Sequence {
 public:
  virtual ~Sequence() = default;  // Releases the lease.
  virtual Status Next(uint64_t* value) = 0;
  // Gives back the numbers leased but not handed out, so that the next lease starts at them.
  virtual Status Release() = 0;
};

}  // namespace sett

#endif  // SETT_SEQUENCE_H_
