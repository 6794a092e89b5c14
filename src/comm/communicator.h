#pragma once

// The processes of one simulation and the collective operations between them (DESIGN: the
// communicator of the context object). Every rank calls every collective in the same order; the
// engine calls them only from the thread that called Network::run. The serial communicator has
// one rank, and its collectives copy nothing.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace eprop {

/// Bytes and calls of the collectives so far (for the scaling study).
struct CommStats {
  std::uint64_t collectives = 0;
  std::uint64_t bytes_sent = 0;      ///< this rank's contributions
  std::uint64_t bytes_received = 0;  ///< the other ranks' contributions this rank received
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;

  /// Concatenates every rank's bytes in rank order into `all`; `offsets` gets size() + 1
  /// entries, rank r's bytes being all[offsets[r] .. offsets[r + 1]).
  virtual void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                         std::vector<std::size_t>& offsets) = 0;
  /// True on every rank when `mine` is true on every rank.
  [[nodiscard]] virtual bool all(bool mine) = 0;
  /// The largest of the ranks' values.
  [[nodiscard]] virtual double max(double mine) = 0;
  /// The sum of the ranks' values.
  [[nodiscard]] virtual std::uint64_t sum(std::uint64_t mine) = 0;
  /// Ends every process of the job with `code` (a rank that cannot go on).
  [[noreturn]] virtual void abort(int code) = 0;

  [[nodiscard]] const CommStats& stats() const { return stats_; }
  /// Whether this rank writes files and prints progress: rank 0.
  [[nodiscard]] bool writes() const { return rank() == 0; }

 protected:
  CommStats stats_;
};

/// One process.
class SerialCommunicator final : public Communicator {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) override;
  [[nodiscard]] bool all(bool mine) override { return mine; }
  [[nodiscard]] double max(double mine) override { return mine; }
  [[nodiscard]] std::uint64_t sum(std::uint64_t mine) override { return mine; }
  [[noreturn]] void abort(int code) override;
};

/// The communicator of this process: MPI's world when the program was built with MPI and
/// started by mpirun with more than one rank (MpiSession initialised), else a serial one.
std::shared_ptr<Communicator> world_communicator();

/// Appends trivially copyable values to a byte buffer and reads them back in the same order.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::byte>& out) : out_(out) {}
  template <class T>
  void put(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    out_.insert(out_.end(), p, p + sizeof(T));
  }
  /// A length (32 bits: one exchange is below 2 GiB anyway) and the values.
  template <class T>
  void put_span(std::span<const T> values) {
    if (values.size() > UINT32_MAX) throw_too_long();
    put(static_cast<std::uint32_t>(values.size()));
    const auto* p = reinterpret_cast<const std::byte*>(values.data());
    out_.insert(out_.end(), p, p + values.size_bytes());
  }

 private:
  [[noreturn]] static void throw_too_long();
  std::vector<std::byte>& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> in) : in_(in) {}
  template <class T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  template <class T>
  void get_into(std::vector<T>& out) {
    const auto n = get<std::uint32_t>();
    out.resize(n);
    if (n > 0) std::memcpy(out.data(), take(n * sizeof(T)), n * sizeof(T));
  }
  template <class T>
  void get_exactly(std::span<T> out) {
    const auto n = get<std::uint32_t>();
    if (n != out.size()) throw_mismatch();
    if (n > 0) std::memcpy(out.data(), take(n * sizeof(T)), n * sizeof(T));
  }
  [[nodiscard]] bool done() const { return pos_ == in_.size(); }

 private:
  const std::byte* take(std::size_t n);
  [[noreturn]] static void throw_mismatch();
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

}  // namespace eprop
