#include "comm/communicator.h"

#include <cstdlib>

#include "eprop/error.h"

namespace eprop {

void SerialCommunicator::allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                                   std::vector<std::size_t>& offsets) {
  all.assign(mine.begin(), mine.end());
  offsets = {0, mine.size()};
}

void SerialCommunicator::abort(int code) { std::exit(code); }

void ByteWriter::throw_too_long() {
  throw CommError("one exchange between ranks would carry more than 2^32 values of one kind");
}

const std::byte* ByteReader::take(std::size_t n) {
  if (n > in_.size() - pos_) throw_mismatch();
  const std::byte* p = in_.data() + pos_;
  pos_ += n;
  return p;
}

void ByteReader::throw_mismatch() {
  throw CommError("a message between ranks does not have the layout this rank expects");
}

}  // namespace eprop
