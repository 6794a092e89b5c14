// The MPI test runner: started by mpirun, every rank runs the same tests; each Simulation built
// without an explicit communicator is then distributed over all ranks (Simulation's default).

#include <gtest/gtest.h>

#include "comm/communicator.h"
#include "comm/mpi_session.h"

int main(int argc, char** argv) {
  const eprop::MpiSession mpi(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  const auto world = eprop::world_communicator();
  if (!world->writes()) {  // one rank reports; a failure on any rank still fails the job
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  // Every rank's verdict counts: a test can fail on one rank only.
  return world->all(failed == 0) ? 0 : 1;
}
