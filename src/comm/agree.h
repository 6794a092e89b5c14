#pragma once

// Errors that every rank meets together. Before a rank goes on to the next collective, all
// ranks learn whether any of them failed, so a bad input ends every rank with the same message
// instead of leaving the others waiting (DESIGN: validate before any collective).

#include <exception>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "eprop/error.h"

namespace eprop {

/// An error that every rank threw together; rank 0 reports it, the others exit quietly.
class AgreedError : public Error {
 public:
  using Error::Error;
};

/// Runs f on every rank. When it throws on any rank, every rank throws an AgreedError carrying
/// the message of the lowest failing rank (one collective when all succeed, two otherwise).
/// A single process simply lets f's exception through.
template <class F>
void agree(Communicator& comm, F&& f) {
  if (comm.size() == 1) {
    f();
    return;
  }
  std::string message;
  try {
    f();
  } catch (const std::exception& e) {
    message = e.what();
    if (message.empty()) message = "unknown error";
  }
  if (comm.all(message.empty())) return;
  std::vector<std::byte> mine(reinterpret_cast<const std::byte*>(message.data()),
                              reinterpret_cast<const std::byte*>(message.data() + message.size()));
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  comm.allgather(mine, all, offsets);
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    if (offsets[r + 1] == offsets[r]) continue;
    const auto* first = reinterpret_cast<const char*>(all.data() + offsets[r]);
    const std::string text(first, offsets[r + 1] - offsets[r]);
    throw AgreedError(r == 0 ? text : "rank " + std::to_string(r) + ": " + text);
  }
}

}  // namespace eprop
