// Builds without MPI: every process is alone.

#include "comm/communicator.h"
#include "comm/mpi_session.h"

namespace eprop {

MpiSession::MpiSession(int& /*argc*/, char**& /*argv*/) {}
MpiSession::~MpiSession() = default;
bool MpiSession::available() { return false; }

std::shared_ptr<Communicator> world_communicator() {
  return std::make_shared<SerialCommunicator>();
}

}  // namespace eprop
