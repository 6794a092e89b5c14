#pragma once

// MPI's lifetime in a program: initialised when the process was started by mpirun (or another
// MPI launcher), finalised at the end of main. A process started without a launcher never
// touches MPI, so the same executable runs serially without any MPI start-up cost.

namespace eprop {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// Whether this build can run across processes (built with Open MPI).
  [[nodiscard]] static bool available();
  /// Whether this process was started by an MPI launcher (and MPI is available).
  [[nodiscard]] bool active() const { return active_; }

 private:
  bool active_ = false;
};

}  // namespace eprop
