// StreamInOrder reads a key range out in parallel and hands it over in key order (DB::Stream).
//
// The range is cut at the given boundaries (table boundaries: pieces that cost about the same
// to read) into more pieces than workers; workers read pieces in order into per-piece queues
// of a few batches each (and wait when a queue is full), while the calling thread takes the
// pieces' batches in key order and hands them to the callback. Memory stays bounded by the
// queues, and the output is exactly an ordered scan of what new_iterator reads.

#ifndef SETT_DB_STREAM_READER_H_
#define SETT_DB_STREAM_READER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sett/iterator.h"
#include "sett/status.h"
#include "sett/stream.h"

namespace sett {

// new_iterator makes an iterator over one fixed view of the keys (one read timestamp),
// restricted to options.prefix; it is called from the worker threads. boundaries need not
// be sorted or unique, nor inside the prefix.
Status StreamInOrder(const StreamOptions& options, std::vector<std::string> boundaries,
                     const std::function<std::unique_ptr<Iterator>()>& new_iterator,
                     const StreamCallback& callback);

}  // namespace sett

#endif  // SETT_DB_STREAM_READER_H_
