// The Open MPI communicator (built when EPROP_WITH_MPI is on).

#include <mpi.h>

#include <cstdlib>
#include <limits>

#include "comm/communicator.h"
#include "comm/mpi_session.h"
#include "eprop/error.h"

namespace eprop {
namespace {

bool launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw CommError(std::string("MPI ") + what + " failed");
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  // Two collectives: the sizes, then the bytes. Counts are MPI ints: one message holds < 2 GiB.
  void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) override {
    const auto n = static_cast<std::uint64_t>(mine.size());
    sizes_.resize(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&n, 1, MPI_UINT64_T, sizes_.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD),
          "Allgather");
    counts_.resize(sizes_.size());
    displacements_.resize(sizes_.size());
    offsets.assign(sizes_.size() + 1, 0);
    for (std::size_t r = 0; r < sizes_.size(); ++r) {
      offsets[r + 1] = offsets[r] + sizes_[r];
      if (offsets[r + 1] > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw CommError("one exchange between ranks exceeds 2 GiB");
      }
      counts_[r] = static_cast<int>(sizes_[r]);
      displacements_[r] = static_cast<int>(offsets[r]);
    }
    all.resize(offsets.back());
    check(MPI_Allgatherv(mine.data(), static_cast<int>(n), MPI_BYTE, all.data(), counts_.data(),
                         displacements_.data(), MPI_BYTE, MPI_COMM_WORLD),
          "Allgatherv");
    stats_.collectives += 2;
    stats_.bytes_sent += n + sizeof(n);
    stats_.bytes_received += (all.size() - n) + (sizes_.size() - 1) * sizeof(n);
  }
  [[nodiscard]] bool all(bool mine) override {
    int in = mine ? 1 : 0;
    int out = 0;
    check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "Allreduce");
    ++stats_.collectives;
    return out != 0;
  }
  [[nodiscard]] double max(double mine) override {
    double out = 0;
    check(MPI_Allreduce(&mine, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "Allreduce");
    ++stats_.collectives;
    return out;
  }
  [[nodiscard]] std::uint64_t sum(std::uint64_t mine) override {
    std::uint64_t out = 0;
    check(MPI_Allreduce(&mine, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD), "Allreduce");
    ++stats_.collectives;
    return out;
  }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
  }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::vector<std::uint64_t> sizes_;
  std::vector<int> counts_, displacements_;
};

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
  if (!launched_by_mpirun()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised != 0) return;  // someone else owns MPI's lifetime
  // Waiting ranks yield the core instead of spinning, unless the user chose otherwise: with more
  // ranks or threads than free cores, spinning in every step's exchange made a test suite run
  // 90x slower (1437 s instead of 16 s for 2 ranks on a loaded 2-core machine).
  ::setenv("OMPI_MCA_mpi_yield_when_idle", "1", /*overwrite=*/0);
  int provided = 0;
  // Only the thread that calls Network::run talks to MPI.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  active_ = true;
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

bool MpiSession::available() { return true; }

std::shared_ptr<Communicator> world_communicator() {
  int initialised = 0;
  int finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised == 0 || finalised != 0) return std::make_shared<SerialCommunicator>();
  return std::make_shared<MpiCommunicator>();
}

}  // namespace eprop
